//! Benchmark of the benchmark: the load generator's own cost. An endpoint in a child process
//! answers every request at once (32 token events), and 100 streams run against it:
//! - through llmops's load generator (`Bench`, as the Benchmarks page runs it);
//! - through a minimal client (a raw socket per stream, a prebuilt request, the first token
//!   found by a byte search): the floor.
//! Rounds alternate which goes first. Reported: TTFT p50/p99 of each and the difference (goal:
//! llmops adds under 0.2 ms at p50), llmops's CPU per token, and the size of the stored record.
//! Writes bench-output/loadgen.md. Run with `cargo run --release -p llmops-core --example
//! loadgen_bench` (part of `npm run bench`).

use std::io::{BufRead, Read, Write};
use std::time::{Duration, Instant};

use llmops_core::bench::{
    BenchTarget, BenchmarkSpec, BenchmarkState, LoadPattern, Slo, TokenLength, Workload,
};
use llmops_core::chat::NewChatEndpoint;
use llmops_core::config::CoreConfig;
use llmops_core::paths::AppPaths;
use llmops_core::Core;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const STREAMS: u32 = 100;
const REQUESTS: u32 = 2000;
const TOKENS: u32 = 32;
const ROUNDS: usize = 3;
const SERIAL_REQUESTS: u32 = 400;

fn main() {
    if std::env::args().nth(1).as_deref() == Some("--serve") {
        serve();
        return;
    }
    let mut server = std::process::Command::new(std::env::current_exe().unwrap())
        .arg("--serve")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("the endpoint process starts");
    let mut line = String::new();
    std::io::BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let address = line.trim().to_string();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let report = runtime.block_on(measure(&address));
    let _ = server.kill();
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench-output");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("loadgen.md"), &report).unwrap();
    println!("{report}");
}

/// The endpoint: a thread per connection, keep-alive, every answer written at once.
fn serve() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    println!("{}", listener.local_addr().unwrap());
    std::io::stdout().flush().unwrap();
    // The parent holds our stdin: when it ends (or panics), so do we.
    std::thread::spawn(|| {
        let _ = std::io::stdin().read_to_end(&mut Vec::new());
        std::process::exit(0);
    });
    let mut body = String::new();
    for i in 0..TOKENS {
        let event = format!(
            "data: {{\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"t{i}\"}}}}]}}\n\n"
        );
        body += &format!("{:x}\r\n{event}\r\n", event.len());
    }
    let usage = format!(
        "data: {{\"choices\":[],\"usage\":{{\"prompt_tokens\":8,\"completion_tokens\":{TOKENS}}}}}\n\ndata: [DONE]\n\n"
    );
    body += &format!("{:x}\r\n{usage}\r\n0\r\n\r\n", usage.len());
    let answer = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n{body}"
    );
    let answer: &'static str = Box::leak(answer.into_boxed_str());
    for socket in listener.incoming().flatten() {
        std::thread::spawn(move || {
            let mut socket = socket;
            socket.set_nodelay(true).unwrap();
            while read_request(&mut socket) {
                if socket.write_all(answer.as_bytes()).is_err() {
                    return;
                }
            }
        });
    }
}

fn read_request(socket: &mut std::net::TcpStream) -> bool {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 16384];
    loop {
        let n = socket.read(&mut chunk).unwrap_or(0);
        if n == 0 {
            return false;
        }
        buffer.extend_from_slice(&chunk[..n]);
        if let Some(end) = find(&buffer, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buffer[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map_or(0, |v| v.trim().parse().unwrap_or(0));
            if buffer.len() >= end + 4 + length {
                return true;
            }
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn cpu_ms() -> f64 {
    let usage = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_SELF).unwrap();
    let ms = |t: nix::sys::time::TimeVal| t.tv_sec() as f64 * 1000.0 + t.tv_usec() as f64 / 1000.0;
    ms(usage.user_time()) + ms(usage.system_time())
}

fn percentile(values: &mut [f64], q: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    let rank = q / 100.0 * (values.len() - 1) as f64;
    let (low, high) = (rank.floor() as usize, rank.ceil() as usize);
    values[low] + (values[high] - values[low]) * (rank - low as f64)
}

struct Round {
    ttft_p50: f64,
    ttft_p99: f64,
    cpu_ms: f64,
    seconds: f64,
}

/// The floor: STREAMS sockets, each sending the same request and timing the first token.
async fn minimal_client(address: &str, streams: u32, requests: u32) -> Round {
    let request = {
        let body = format!(
            "{{\"model\":\"x\",\"messages\":[{{\"role\":\"user\",\"content\":\"hi\"}}],\"max_tokens\":{TOKENS},\"stream\":true}}"
        );
        format!(
            "POST /v1/chat/completions HTTP/1.1\r\nhost: {address}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        )
    };
    let per_stream = requests / streams;
    let cpu = cpu_ms();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..streams {
        let (address, request) = (address.to_string(), request.clone());
        tasks.push(tokio::spawn(async move {
            let mut socket = tokio::net::TcpStream::connect(&address).await.unwrap();
            socket.set_nodelay(true).unwrap();
            let mut ttfts = Vec::new();
            let mut buffer = vec![0u8; 65536];
            for _ in 0..per_stream {
                let sent = Instant::now();
                socket.write_all(request.as_bytes()).await.unwrap();
                let mut seen = Vec::new();
                let mut first = None;
                loop {
                    let n = socket.read(&mut buffer).await.unwrap();
                    seen.extend_from_slice(&buffer[..n]);
                    if first.is_none() && find(&seen, b"\"content\"").is_some() {
                        first = Some(sent.elapsed());
                    }
                    if seen.ends_with(b"0\r\n\r\n") {
                        break;
                    }
                }
                ttfts.push(first.unwrap().as_secs_f64() * 1000.0);
            }
            ttfts
        }));
    }
    let mut ttfts = Vec::new();
    for task in tasks {
        ttfts.extend(task.await.unwrap());
    }
    Round {
        ttft_p50: percentile(&mut ttfts, 50.0),
        ttft_p99: percentile(&mut ttfts, 99.0),
        cpu_ms: cpu_ms() - cpu,
        seconds: started.elapsed().as_secs_f64(),
    }
}

async fn llmops_generator(
    core: &Core,
    target: &BenchTarget,
    streams: u32,
    requests: u32,
) -> (Round, usize) {
    let spec = BenchmarkSpec {
        target: target.clone(),
        workload: Workload::Synthetic {
            input: TokenLength {
                mean: 8,
                spread: 0.0,
            },
            output: TokenLength {
                mean: TOKENS,
                spread: 0.0,
            },
        },
        load: LoadPattern::Concurrency {
            levels: vec![streams],
        },
        requests,
        duration_s: None,
        warmup_requests: 0,
        seed: 1,
        ignore_eos: false,
        slo: Slo::default(),
        label: None,
    };
    let cpu = cpu_ms();
    let started = Instant::now();
    let benchmark = core.bench.start_benchmark(spec).await.unwrap();
    let done = loop {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let now = core.bench.get(&benchmark.id).await.unwrap();
        if now.state != BenchmarkState::Running {
            break now;
        }
    };
    assert_eq!(done.state, BenchmarkState::Completed, "{:?}", done.error);
    let level = &done.results[0];
    assert_eq!(level.completed, requests);
    let stored = serde_json::to_string(&done).unwrap().len();
    (
        Round {
            ttft_p50: level.ttft_ms.p50,
            ttft_p99: level.ttft_ms.p99,
            cpu_ms: cpu_ms() - cpu,
            seconds: started.elapsed().as_secs_f64(),
        },
        stored,
    )
}

fn table(streams: u32, requests: u32, rows: &[(Round, Round)]) -> String {
    let tokens = f64::from(requests * TOKENS);
    let mut added: Vec<f64> = rows.iter().map(|(o, f)| o.ttft_p50 - f.ttft_p50).collect();
    let mut cpu_per_token: Vec<f64> = rows
        .iter()
        .map(|(o, _)| o.cpu_ms * 1000.0 / tokens)
        .collect();
    let mut out = format!("\n## {streams} stream(s), {requests} requests\n\n");
    out += "| round | TTFT p50 llmops (ms) | TTFT p50 minimal | TTFT p99 llmops | TTFT p99 minimal | added p50 | llmops CPU µs/token | minimal CPU µs/token | llmops s | minimal s |\n";
    out += "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n";
    for (i, (o, f)) in rows.iter().enumerate() {
        out += &format!(
            "| {} | {:.3} | {:.3} | {:.3} | {:.3} | {:+.3} | {:.1} | {:.1} | {:.2} | {:.2} |\n",
            i + 1,
            o.ttft_p50,
            f.ttft_p50,
            o.ttft_p99,
            f.ttft_p99,
            o.ttft_p50 - f.ttft_p50,
            o.cpu_ms * 1000.0 / tokens,
            f.cpu_ms * 1000.0 / tokens,
            o.seconds,
            f.seconds
        );
    }
    out += &format!(
        "\nMedian over rounds: llmops adds **{:+.3} ms** to TTFT p50 and costs **{:.1} µs of CPU per token**.\n",
        percentile(&mut added, 50.0),
        percentile(&mut cpu_per_token, 50.0)
    );
    out
}

async fn measure(address: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let config = CoreConfig::new(AppPaths::new(
        dir.path().join("data"),
        dir.path().join("cache"),
    ));
    let core = Core::open(config).await.unwrap();
    let endpoint = core
        .chat
        .add_endpoint(NewChatEndpoint {
            name: "instant".into(),
            base_url: format!("http://{address}/v1"),
            api_key: None,
        })
        .await
        .unwrap();
    let target = BenchTarget::Endpoint {
        endpoint_id: endpoint.id,
        model: "x".into(),
    };
    let mut out = String::from("# Load generator overhead (benchmark of the benchmark)\n\n");
    out += &format!(
        "Requests of {TOKENS} token events each against an endpoint (another process) that answers at once; \
         {ROUNDS} rounds alternating which client goes first. `minimal` is a raw socket per stream with a \
         prebuilt request and a byte search for the first token: the floor. At {STREAMS} streams on this \
         2-core machine TTFT is mostly the endpoint's queue, so the added latency is read at 1 stream.\n\n"
    );
    let mut stored = 0;
    for (streams, requests) in [(1, SERIAL_REQUESTS), (STREAMS, REQUESTS)] {
        let mut rows = Vec::new();
        for round in 0..ROUNDS {
            let floor_first = round % 2 == 1;
            let floor = if floor_first {
                Some(minimal_client(address, streams, requests).await)
            } else {
                None
            };
            let (ours, size) = llmops_generator(&core, &target, streams, requests).await;
            stored = size;
            let floor = match floor {
                Some(floor) => floor,
                None => minimal_client(address, streams, requests).await,
            };
            rows.push((ours, floor));
        }
        out += &table(streams, requests, &rows);
    }
    out += &format!(
        "\nStored record of one such benchmark (one level, {REQUESTS} requests, the first 2,000 per-request samples kept): {:.1} KiB. \
         At most 16 levels × 2,000 samples make about 16 × that.\n",
        stored as f64 / 1024.0
    );
    out
}
