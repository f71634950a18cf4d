//! Benchmarks: a scripted endpoint with exactly known delays (the metrics come out as those
//! delays), cancel and one-at-a-time; then the real `llama-server` with the starter model at
//! concurrency 1 and 4, through the gateway, and `llama-bench` for real.

mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use llmops_core::bench::{
    BenchTarget, Benchmark, BenchmarkKind, BenchmarkPatch, BenchmarkSpec, BenchmarkState,
    HardwareSpec, LoadPattern, Slo, TokenLength, Workload,
};
use llmops_core::chat::NewChatEndpoint;
use llmops_core::error::CodedError;
use llmops_core::Core;

use common::{core_in, real_parts, start_running};

/// The tests of this file run one at a time: the timing test must not share the two cores with
/// the real engine.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The scripted answer: the first token after `FIRST`, then one every `EVERY`, `TOKENS` in all.
const FIRST: Duration = Duration::from_millis(200);
const EVERY: Duration = Duration::from_millis(10);
const TOKENS: u32 = 10;

/// An OpenAI-compatible endpoint that streams `tokens` tokens on the schedule above, counting
/// the requests it sees. It runs on threads of its own with blocking sockets: the async
/// runtime's timer is up to 2 ms late here, a thread's sleep is not.
async fn scripted_endpoint(tokens: u32) -> (String, Arc<AtomicU32>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/v1", listener.local_addr().unwrap());
    let seen = Arc::new(AtomicU32::new(0));
    let counter = seen.clone();
    std::thread::spawn(move || {
        for socket in listener.incoming().flatten() {
            let counter = counter.clone();
            std::thread::spawn(move || answer(socket, tokens, &counter));
        }
    });
    (base, seen)
}

/// Reads a request's head and its body (Content-Length); false when the client went away.
fn read_request(socket: &mut std::net::TcpStream) -> bool {
    use std::io::Read;
    let mut buffer = Vec::new();
    loop {
        let mut chunk = [0u8; 8192];
        let n = socket.read(&mut chunk).unwrap_or(0);
        if n == 0 {
            return false;
        }
        buffer.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buffer);
        if let Some(end) = text.find("\r\n\r\n") {
            let length: usize = text[..end]
                .lines()
                .find_map(|l| {
                    let l = l.to_ascii_lowercase();
                    l.strip_prefix("content-length:")
                        .map(|v| v.trim().parse().unwrap())
                })
                .unwrap_or(0);
            if buffer.len() >= end + 4 + length {
                return true;
            }
        }
    }
}

/// Answers the requests of one connection, kept alive between them as llama-server does (a new
/// connection per request would add its set-up to every TTFT).
fn answer(mut socket: std::net::TcpStream, tokens: u32, seen: &AtomicU32) {
    use std::io::Write;
    socket.set_nodelay(true).unwrap();
    // The schedule runs from the moment the whole request is in.
    while read_request(&mut socket) {
        let start = Instant::now();
        seen.fetch_add(1, Ordering::SeqCst);
        let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n";
        let chunked = |data: &str| format!("{:x}\r\n{data}\r\n", data.len());
        if socket.write_all(head.as_bytes()).is_err() {
            return;
        }
        for i in 0..tokens {
            let due = start + FIRST + EVERY * i;
            std::thread::sleep(due.saturating_duration_since(Instant::now()));
            let event = format!(
                "data: {{\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"t{i} \"}}}}]}}\n\n"
            );
            if socket.write_all(chunked(&event).as_bytes()).is_err() {
                return;
            }
        }
        let usage = format!(
            "data: {{\"choices\":[],\"usage\":{{\"prompt_tokens\":12,\"completion_tokens\":{tokens},\"total_tokens\":{}}}}}\n\ndata: [DONE]\n\n",
            12 + tokens
        );
        let end = format!("{}0\r\n\r\n", chunked(&usage));
        if socket.write_all(end.as_bytes()).is_err() {
            return;
        }
    }
}

fn synthetic(output: u32) -> Workload {
    Workload::Synthetic {
        input: TokenLength {
            mean: 32,
            spread: 0.0,
        },
        output: TokenLength {
            mean: output,
            spread: 0.0,
        },
    }
}

fn spec(target: BenchTarget, levels: Vec<u32>, requests: u32, output: u32) -> BenchmarkSpec {
    BenchmarkSpec {
        target,
        workload: synthetic(output),
        load: LoadPattern::Concurrency { levels },
        requests,
        duration_s: None,
        warmup_requests: 0,
        seed: 42,
        ignore_eos: false,
        slo: Slo::default(),
        label: None,
    }
}

async fn endpoint_target(core: &Core, base: &str) -> BenchTarget {
    let endpoint = core
        .chat
        .add_endpoint(NewChatEndpoint {
            name: "Scripted".into(),
            base_url: base.into(),
            api_key: None,
        })
        .await
        .unwrap();
    BenchTarget::Endpoint {
        endpoint_id: endpoint.id,
        model: "scripted".into(),
    }
}

async fn wait_ended(core: &Core, id: &str, within: Duration) -> Benchmark {
    let deadline = Instant::now() + within;
    loop {
        let benchmark = core.bench.get(id).await.unwrap();
        if benchmark.state != BenchmarkState::Running {
            return benchmark;
        }
        assert!(Instant::now() < deadline, "still running: {benchmark:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn known_delays_come_out_as_the_metrics() {
    let _serial = SERIAL.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let core = core_in(&dir, |_| {}).await;
    let (base, seen) = scripted_endpoint(TOKENS).await;
    let target = endpoint_target(&core, &base).await;
    let mut asked = spec(target, vec![1, 4], 8, TOKENS);
    asked.warmup_requests = 1;
    asked.slo = Slo {
        ttft_ms: Some(250.0),
        ..Default::default()
    };
    let started = core.bench.start_benchmark(asked).await.unwrap();
    assert_eq!(started.state, BenchmarkState::Running);
    let done = wait_ended(&core, &started.id, Duration::from_secs(30)).await;
    assert_eq!(done.state, BenchmarkState::Completed, "{:?}", done.error);
    assert_eq!(
        seen.load(Ordering::SeqCst),
        1 + 8 + 8,
        "warm-up, then two levels of 8"
    );
    assert_eq!(done.results.len(), 2);
    for level in &done.results {
        // Gaps are exact to 2 ms. So is the time to the first token at concurrency 1 (and a few
        // ms late on a busy machine, see `late_ok`); the
        // request itself takes about 1 ms in this debug build (a request to head, measured),
        // and four sent at once queue for the two cores, so 3 ms there.
        let ends = if level.concurrency == Some(1) {
            2.0
        } else {
            3.0
        };
        assert_eq!((level.completed, level.failed), (8, 0), "{}", level.load);
        let near = |what: &str, value: f64, expected: f64, tolerance: f64| {
            assert!(
                (value - expected).abs() <= tolerance,
                "{} {what}: {value:.2} ms, expected {expected} ± {tolerance}",
                level.load
            )
        };
        // A whole request can only come out late, never early: on a busy machine its start waits
        // for a core (CI runs other builds beside it). A wrong definition would be off by the
        // 200 ms first-token delay or a 10 ms gap per token, far beyond this slack.
        let late_ok = |what: &str, value: f64, expected: f64, early: f64| {
            assert!(
                value >= expected - early && value <= expected + early + 8.0,
                "{} {what}: {value:.2} ms, expected {expected} (−{early}, +{} ms)",
                level.load,
                early + 8.0
            )
        };
        late_ok("TTFT p50", level.ttft_ms.p50, ms(FIRST), ends);
        near("ITL p50", level.itl_ms.p50, ms(EVERY), 2.0);
        near("TPOT p50", level.tpot_ms.p50, ms(EVERY), 2.0);
        late_ok(
            "E2EL p50",
            level.e2el_ms.p50,
            ms(FIRST + EVERY * (TOKENS - 1)),
            ends,
        );
        assert_eq!(
            level.itl_ms.count,
            8 * (TOKENS - 1),
            "tokens − 1 gaps per request"
        );
        assert_eq!(level.output_tokens, u64::from(8 * TOKENS));
        assert_eq!(level.input_tokens, 8 * 12);
        assert!(!level.tokens_counted, "counts from usage");
        assert_eq!(
            level.goodput.unwrap(),
            level.request_throughput,
            "all within 250 ms"
        );
        assert!(level.samples.iter().all(|s| s.ttft_ms <= s.e2el_ms));
    }
    // Four at a time take about a quarter of the time of one at a time.
    let (one, four) = (&done.results[0], &done.results[1]);
    assert_eq!((one.max_in_flight, four.max_in_flight), (1, 4));
    let speedup = four.request_throughput / one.request_throughput;
    assert!((3.0..=4.5).contains(&speedup), "speed-up {speedup:.2}");
    // The desktop app's export: a file in the folder it is given, never half-written, a second
    // one beside the first.
    let files = tempfile::tempdir().unwrap();
    let request = || llmops_core::bench::BenchmarkExportRequest {
        ids: vec![done.id.clone()],
        format: llmops_core::bench::BenchmarkExportFormat::Csv,
    };
    let first = core
        .bench
        .save_export(request(), Some(files.path()))
        .await
        .unwrap();
    let second = core
        .bench
        .save_export(request(), Some(files.path()))
        .await
        .unwrap();
    assert_ne!(first, second);
    let csv = std::fs::read_to_string(&first).unwrap();
    assert_eq!(
        csv.lines().count(),
        3,
        "a header and a row per level: {csv}"
    );
    assert!(second.ends_with(" (2).csv"), "{second}");
    // The list leaves out per-request samples; the record keeps them.
    assert!(
        done.environment.cpu.is_none() && done.environment.argv.is_empty(),
        "an external endpoint's hardware is not ours"
    );
    let listed = core.bench.list().await.unwrap();
    assert!(listed[0].results[0].samples.is_empty());
    assert!(
        listed[0].resources.is_empty(),
        "the list leaves readings out"
    );
    assert_eq!(done.results[0].samples.len(), 8);
    println!(
        "scripted: TTFT p50 {:.2} ms, ITL p50 {:.2} ms, TPOT p50 {:.2} ms, E2EL p50 {:.2} ms",
        one.ttft_ms.p50, one.itl_ms.p50, one.tpot_ms.p50, one.e2el_ms.p50
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_at_a_time_cancel_keeps_what_was_measured_and_bad_input_is_refused() {
    let _serial = SERIAL.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let core = core_in(&dir, |_| {}).await;
    let (base, _) = scripted_endpoint(2000).await;
    let target = endpoint_target(&core, &base).await;
    let long = core
        .bench
        .start_benchmark(spec(target.clone(), vec![2], 4, 2000))
        .await
        .unwrap();
    let busy = core
        .bench
        .start_benchmark(spec(target.clone(), vec![1], 1, 4))
        .await
        .unwrap_err();
    assert_eq!(busy.code(), "benchmark_busy");
    let deleting = core.bench.delete(&long.id).await.unwrap_err();
    assert_eq!(deleting.code(), "benchmark_still_running");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let cancelled = core.bench.cancel(&long.id).await.unwrap();
    assert_eq!(
        cancelled.state,
        BenchmarkState::Cancelled,
        "answered as it ended"
    );
    assert_eq!(cancelled.results.len(), 1, "the level in progress is kept");
    assert_eq!(cancelled.results[0].completed, 0);

    // Tags and notes; then it can go.
    let tagged = core
        .bench
        .update(
            &long.id,
            BenchmarkPatch {
                tags: Some(vec!["baseline".into(), " ".into()]),
                notes: Some("cancelled on purpose".into()),
                label: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(tagged.tags, ["baseline"]);
    core.bench.delete(&long.id).await.unwrap();
    assert_eq!(
        core.bench.get(&long.id).await.unwrap_err().code(),
        "benchmark_not_found"
    );

    // Bad input: refused with what to change, and nothing recorded.
    let bad = [
        (spec(target.clone(), vec![0], 1, 4), "1 to 1024"),
        (spec(target.clone(), vec![1], 0, 4), "requests per level"),
        (spec(target.clone(), vec![1], 1, 0), "output length"),
        (
            BenchmarkSpec {
                workload: Workload::Dataset {
                    jsonl: "{\"prompt\": \"hi\"}\nnot json\n".into(),
                    max_output: 8,
                },
                ..spec(target.clone(), vec![1], 1, 4)
            },
            "line 2",
        ),
    ];
    for (asked, says) in bad {
        let error = core.bench.start_benchmark(asked).await.unwrap_err();
        assert_eq!(error.code(), "benchmark_invalid_input");
        assert!(error.to_string().contains(says), "{error}");
    }
    let stopped_model = spec(
        BenchTarget::Model {
            model_id: "no-such-model".into(),
        },
        vec![1],
        1,
        4,
    );
    let error = core.bench.start_benchmark(stopped_model).await.unwrap_err();
    assert_eq!(error.code(), "model_not_found");
    assert!(core.bench.list().await.unwrap().is_empty());

    // An endpoint that refuses every request: the benchmark fails with its message.
    let refusing = endpoint_target(&core, &refusing_endpoint().await).await;
    let failed = core
        .bench
        .start_benchmark(spec(refusing, vec![1], 2, 4))
        .await
        .unwrap();
    let failed = wait_ended(&core, &failed.id, Duration::from_secs(10)).await;
    assert_eq!(failed.state, BenchmarkState::Failed);
    let error = failed.error.unwrap();
    assert_eq!(error.code, "benchmark_all_failed");
    assert!(
        error.message.contains("HTTP 503: overloaded"),
        "{}",
        error.message
    );
    assert_eq!(failed.results[0].errors[0].count, 2);
}

/// Answers every request with 503 and an OpenAI-shaped error.
async fn refusing_endpoint() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/v1", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        use std::io::Write;
        for mut socket in listener.incoming().flatten() {
            if !read_request(&mut socket) {
                continue;
            }
            let body = r#"{"error":{"message":"overloaded","type":"server_error"}}"#;
            let answer = format!(
                "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = socket.write_all(answer.as_bytes());
        }
    });
    base
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_engine_measured_directly_through_the_gateway_and_by_llama_bench() {
    let _serial = SERIAL.lock().await;
    let Some(_) = real_parts() else { return };
    let dir = tempfile::tempdir().unwrap();
    let core = core_in(&dir, |_| {}).await;
    let starter = core.library.starter().await.unwrap().expect("starter");
    let instance = start_running(&core, &starter.id, Duration::from_secs(120)).await;

    // Directly to the engine, at concurrency 1 and 4, every answer its full 16 tokens.
    let mut asked = spec(
        BenchTarget::Model {
            model_id: starter.id.clone(),
        },
        vec![1, 4],
        4,
        16,
    );
    asked.warmup_requests = 1;
    asked.ignore_eos = true;
    let started = core.bench.start_benchmark(asked).await.unwrap();
    assert_eq!(started.instance_id.as_deref(), Some(instance.id.as_str()));
    let done = wait_ended(&core, &started.id, Duration::from_secs(300)).await;
    assert_eq!(done.state, BenchmarkState::Completed, "{:?}", done.error);
    for level in &done.results {
        assert_eq!(
            (level.completed, level.failed),
            (4, 0),
            "{}: {:?}",
            level.load,
            level.errors
        );
        assert_eq!(level.output_tokens, 4 * 16, "usage says 16 tokens each");
        assert!(!level.tokens_counted);
        assert_eq!(
            level.itl_ms.count,
            4 * 15,
            "one chunk per token: tokens − 1 gaps"
        );
        assert!(
            level.input_tokens >= 4 * 32,
            "the prompt and the chat template"
        );
        for sample in &level.samples {
            assert!(sample.ttft_ms.unwrap() > 0.0);
            assert!(sample.ttft_ms <= sample.e2el_ms);
            assert_eq!(sample.output_tokens, Some(16));
        }
        assert!(level.ttft_ms.p50 <= level.e2el_ms.p50);
        assert!(level.output_throughput > 0.0 && level.request_throughput > 0.0);
        assert!(level.total_token_throughput > level.output_throughput);
    }
    // What it measured on: the engine's command line and version, the file, this machine; and
    // the machine while it ran. The engine's key goes in its environment, never the record.
    let environment = &done.environment;
    assert_eq!(environment.engine.as_deref(), Some("llama_cpp"));
    assert!(
        environment.argv[0].ends_with("llama-server"),
        "{:?}",
        environment.argv
    );
    assert!(environment.argv.iter().any(|a| a == "--port"));
    assert_eq!(
        environment.model_path.as_deref(),
        Some(starter.path.as_str())
    );
    assert!(environment.model_bytes.unwrap() > 1_000_000);
    assert!(environment.cpu.is_some() && environment.memory_bytes.unwrap() > 0);
    assert_eq!(environment.context_size, Some(instance.context_size));
    let key = core
        .supervisor
        .engine_key(&instance.id)
        .expect("an engine key");
    assert!(
        !serde_json::to_string(&done).unwrap().contains(&key),
        "no key in the record"
    );
    assert!(
        done.resources
            .iter()
            .any(|p| p.instance_rss_bytes.unwrap_or(0) > 10_000_000),
        "the engine's RSS among the readings: {:?}",
        done.resources
    );
    let single = done.results[0]
        .engine
        .as_ref()
        .expect("llama.cpp's timings");
    println!(
        "single stream: ours {:.1} tok/s, llama-server's {:.1} tok/s ({:+.1} %); c=4 {:.1} tok/s out",
        single.client_decode_per_second,
        single.engine_decode_per_second,
        single.difference_percent,
        done.results[1].output_throughput
    );
    assert!(
        single.difference_percent.abs() <= 10.0,
        "our single-stream speed within 10 % of the engine's: {single:?}"
    );

    // Through the gateway, by the model's /v1 name; it records each request too.
    let gateway_name = llmops_core::gateway::stable_name(&starter.name, &starter.id);
    let through = core
        .bench
        .start_benchmark(spec(
            BenchTarget::Gateway {
                model: gateway_name,
            },
            vec![2],
            2,
            8,
        ))
        .await
        .unwrap();
    let through = wait_ended(&core, &through.id, Duration::from_secs(120)).await;
    assert_eq!(
        through.state,
        BenchmarkState::Completed,
        "{:?}",
        through.error
    );
    assert_eq!(through.results[0].completed, 2);

    // llama-bench on the file: prompt and generation speed, stored.
    let hardware = core
        .bench
        .start_hardware_benchmark(HardwareSpec {
            model_id: starter.id.clone(),
            prompt_tokens: 32,
            generate_tokens: 8,
            repetitions: 1,
            threads: None,
            gpu_layers: None,
        })
        .await
        .unwrap();
    let hardware = wait_ended(&core, &hardware.id, Duration::from_secs(300)).await;
    assert_eq!(
        hardware.state,
        BenchmarkState::Completed,
        "{:?}",
        hardware.error
    );
    assert!(matches!(hardware.spec, BenchmarkKind::Hardware(_)));
    let result = hardware.hardware.expect("llama-bench's result");
    let names: Vec<&str> = result.tests.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["pp32", "tg8"]);
    assert!(result.tests.iter().all(|t| t.tokens_per_second > 0.0));
    assert!(result.model_bytes > 0 && result.command.contains("-p 32"));
    // The file holds the tensors llama-bench counts, and the metadata.
    assert!(hardware.environment.model_bytes.unwrap() >= result.model_bytes);
    println!(
        "llama-bench: pp32 {:.1} t/s, tg8 {:.1} t/s on {}",
        result.tests[0].tokens_per_second, result.tests[1].tokens_per_second, result.cpu
    );
    // Everything is on record after a restart of the core.
    drop(core);
    let core = core_in(&dir, |_| {}).await;
    assert_eq!(core.bench.list().await.unwrap().len(), 3);
}
