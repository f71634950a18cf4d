//! The core against a real `llama-server` and the starter model (both installed by
//! `scripts/setup.sh` into ~/.cache/llmops). Under CI=true a missing part fails the test.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::time::Duration;

use llmops_core::chat::{ChatMessage, ChatRequest, ChatRole, ChatStreamEvent};
use llmops_core::error::CodedError;
use llmops_core::library::{NewModel, RestartPolicy};
use llmops_core::supervisor::{is_port_free, process_exists, InstanceState};
use llmops_core::Core;
use tokio_util::sync::CancellationToken;

mod common;
use common::{core_in, real_parts, start_running, wait_running};

async fn add_model(core: &Core, name: &str, path: &str) -> llmops_core::library::Model {
    core.library.add(NewModel::new(name, path)).await.unwrap()
}

fn question(instance_id: &str) -> ChatRequest {
    ChatRequest {
        instance_id: instance_id.to_string(),
        messages: vec![ChatMessage {
            role: ChatRole::User,
            content: "Name three colours.".into(),
        }],
        temperature: Some(0.0),
        max_tokens: Some(24),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starts_streams_and_stops_a_real_llama_server() {
    let Some(_) = real_parts() else { return };
    let dir = tempfile::tempdir().unwrap();
    let core = core_in(&dir, |_| {}).await;
    let starter = core
        .library
        .starter()
        .await
        .unwrap()
        .expect("the starter model is registered");

    let started = core.supervisor.start(&starter.id).await.unwrap();
    assert_eq!(started.state, InstanceState::Starting);
    let pid = started.pid.unwrap();
    let running = core
        .supervisor
        .wait_settled(&started.id, Duration::from_secs(120))
        .await
        .unwrap();
    assert_eq!(
        running.state,
        InstanceState::Running,
        "{:?}",
        running.state.reason()
    );

    // A web page scanning loopback ports finds the engine but cannot use it without its key
    // (llama-server reflects any Origin in CORS, so the key is the only thing in the way).
    let engine = format!("http://127.0.0.1:{}", running.port);
    let http = reqwest::Client::new();
    let scan = http
        .post(format!("{engine}/v1/chat/completions"))
        .header("origin", "https://evil.example")
        .header("content-type", "application/json")
        .body(r#"{"messages":[{"role":"user","content":"hi"}],"max_tokens":4}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(scan.status(), 401, "the engine answered without its key");
    let key = core
        .supervisor
        .engine_key(&running.id)
        .expect("an engine key");
    let with_key = http
        .get(format!("{engine}/v1/models"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(with_key.status(), 200);
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap();
    assert!(
        !String::from_utf8_lossy(&cmdline).contains(&key),
        "the key is on the command line"
    );
    let shown = serde_json::to_string(&core.supervisor.list()).unwrap();
    assert!(!shown.contains(&key), "the key is in instance info");

    let mut stream = core
        .chat
        .stream(question(&running.id), CancellationToken::new())
        .await
        .unwrap();
    let mut deltas = Vec::new();
    let mut finish = None;
    while let Some(event) = stream.recv().await {
        match event {
            ChatStreamEvent::Delta { content } => deltas.push(content),
            ChatStreamEvent::Reasoning { .. } => {}
            ChatStreamEvent::Done {
                finish_reason,
                usage,
                stats,
                ..
            } => {
                finish = finish_reason;
                let usage = usage.expect("llama.cpp reports timings");
                assert!(usage.completion_tokens.unwrap() > 0);
                assert!(stats.ttft_ms.is_some() && stats.tokens_per_second.is_some());
                assert!(!stats.counted, "llama.cpp reports its own token counts");
                break;
            }
            ChatStreamEvent::Error { error } => panic!("stream error: {error:?}"),
            ChatStreamEvent::Started { .. } => panic!("a plain stream has no conversation"),
        }
    }
    assert!(deltas.len() >= 3, "expected several deltas, got {deltas:?}");
    assert!(!deltas.concat().trim().is_empty());
    assert!(
        matches!(finish.as_deref(), Some("stop" | "length")),
        "finish reason {finish:?}"
    );

    let stopped = core.supervisor.stop(&running.id).await.unwrap();
    assert_eq!(stopped.state, InstanceState::Stopped);
    assert!(
        !process_exists(pid),
        "llama-server pid {pid} is still alive"
    );
    assert!(
        is_port_free(running.port),
        "port {} is still bound",
        running.port
    );

    let states: Vec<String> = core
        .store
        .instance_transitions(&running.id)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.state)
        .collect();
    assert_eq!(
        states,
        ["pending", "starting", "running", "stopping", "stopped"]
    );
    let logs = core.supervisor.logs(&running.id, None, 10_000).unwrap();
    assert!(
        logs.iter().any(|l| l.text.contains("llama")),
        "engine output is captured"
    );
}

#[tokio::test]
async fn a_missing_model_file_is_refused_before_any_process_starts() {
    let dir = tempfile::tempdir().unwrap();
    let core = core_in(&dir, |_| {}).await;
    let model = add_model(&core, "gone", "/nonexistent/model.gguf").await;
    let err = core.supervisor.start(&model.id).await.unwrap_err();
    assert_eq!(err.code(), "model_file_missing");
    assert!(err.to_string().contains("/nonexistent/model.gguf"));
    assert!(core.supervisor.list().is_empty());
}

#[tokio::test]
async fn a_missing_engine_binary_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let weights = dir.path().join("w.gguf");
    std::fs::write(&weights, b"GGUF").unwrap();
    let core = core_in(&dir, |c| {
        c.llama_server = Some("/nonexistent/llama-server".into())
    })
    .await;
    let model = add_model(&core, "w", &weights.display().to_string()).await;
    let err = core.supervisor.start(&model.id).await.unwrap_err();
    assert_eq!(err.code(), "engine_binary_missing");
    assert!(err.to_string().contains("LLMOPS_LLAMA_SERVER"));
    assert!(core.supervisor.list().is_empty());
}

#[tokio::test]
async fn an_engine_that_exits_early_fails_fast_with_its_output_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (weights, fake) = fake_engine(
        dir.path(),
        "#!/bin/sh\necho 'error: failed to load model' >&2\nexit 1\n",
    );
    let core = core_in(&dir, |c| c.llama_server = Some(fake.clone())).await;
    let model = add_model(&core, "w", &weights.display().to_string()).await;
    let (started, reason) = start_until_failed(&core, &model.id, 10).await;
    assert!(
        reason.contains("exited with code 1 before becoming ready"),
        "{reason}"
    );
    assert!(reason.contains("failed to load model"), "{reason}");
    assert!(
        reason.contains("could not be loaded: it may be incomplete"),
        "a hint names the likely cause: {reason}"
    );
    // The summary and the hint also travel as codes with their values, for a translated text.
    let InstanceState::Failed { summary, hint, .. } =
        core.supervisor.get(&started.id).unwrap().state
    else {
        panic!("failed")
    };
    let summary = summary.expect("a coded summary");
    assert_eq!(summary.code, "engine_exited_before_ready");
    assert_eq!(summary.params.unwrap()["code"], "1");
    assert_eq!(hint.as_deref(), Some("hint_model_unloadable"));
    assert!(!process_exists(started.pid.unwrap()));
    assert_eq!(core.supervisor.active_count(), 0);

    // After the app restarts, the failed instance's output is still readable from its log file.
    drop(core);
    let reopened = core_in(&dir, |_| {}).await;
    let lines = reopened.supervisor.logs(&started.id, None, 100).unwrap();
    assert!(
        lines
            .iter()
            .any(|l| l.text.contains("failed to load model")),
        "{lines:?}"
    );
    assert_eq!(
        reopened
            .supervisor
            .logs("0b6c1d2e-8f7a-4c3b-9d1e-2f3a4b5c6d7e", None, 10)
            .unwrap_err()
            .code(),
        "instance_not_found"
    );
    // An id that is not a UUID never reaches the file system.
    assert_eq!(
        reopened
            .supervisor
            .logs("../../../etc/passwd", None, 10)
            .unwrap_err()
            .code(),
        "invalid_instance_id"
    );
    // The run's history keeps the failure's codes, so a past run reads in any language too.
    let history = reopened.model_detail(&model.id).await.unwrap().history;
    let run = history.iter().find(|r| r.id == started.id).unwrap();
    assert_eq!(
        run.summary.as_ref().map(|s| s.code.as_str()),
        Some("engine_exited_before_ready")
    );
    assert_eq!(run.hint.as_deref(), Some("hint_model_unloadable"));
    let failed = run.transitions.last().unwrap();
    assert_eq!(failed.state, "failed");
    assert_eq!(failed.summary, run.summary);
}

/// An engine that floods its output (300k lines as fast as it can) is never blocked by us, and
/// the kept log stays bounded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flooding_engine_neither_blocks_nor_grows_the_log_without_bound() {
    let dir = tempfile::tempdir().unwrap();
    let (weights, fake) = fake_engine(dir.path(), "#!/bin/sh\nseq 1 300000\nexit 3\n");
    let core = core_in(&dir, |c| c.llama_server = Some(fake.clone())).await;
    let model = add_model(&core, "flood", &weights.display().to_string()).await;
    let (started, reason) = start_until_failed(&core, &model.id, 60).await;
    assert!(
        reason.contains("exited with code 3"),
        "the flood ran to its end: {reason}"
    );
    let kept = core.supervisor.logs(&started.id, None, usize::MAX).unwrap();
    assert_eq!(kept.len(), 5000, "the ring keeps a bounded number of lines");
    let last = kept
        .iter()
        .rev()
        .find(|l| l.text == "300000")
        .expect("the very last line was read");
    assert_eq!(last.seq, 299_999, "no line was lost on the way");
}

/// kill -9 of a running llama-server: seen at once as Failed with the signal and the log tail;
/// the on-failure policy starts the model again after a backoff.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_engine_fails_with_its_signal_and_is_restarted_by_policy() {
    let Some(paths) = real_parts() else { return };
    let dir = tempfile::tempdir().unwrap();
    let core = core_in(&dir, |_| {}).await;
    // Its own path for the same weights, so that it can carry a restart policy.
    let weights = dir.path().join("smollm2.gguf");
    std::os::unix::fs::symlink(paths.starter_model(), &weights).unwrap();
    let new = NewModel {
        context_size: Some(1024),
        restart_policy: Some(RestartPolicy::OnFailure { max_retries: 2 }),
        ..NewModel::new("restartable", weights.display().to_string())
    };
    let model = core.library.add(new).await.unwrap();
    let running = start_running(&core, &model.id, Duration::from_secs(120)).await;
    let first = running.clone();

    let killed_at = std::time::Instant::now();
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(running.pid.unwrap() as i32),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    let failed = wait_until(|| {
        core.supervisor
            .get(&first.id)
            .ok()
            .filter(|i| i.state.is_terminal())
    })
    .await;
    eprintln!(
        "kill -9 seen as Failed after {} ms",
        killed_at.elapsed().as_millis()
    );
    let reason = failed.state.reason().expect("failed").to_string();
    assert!(
        reason.contains("killed by signal 9 (SIGKILL) while running"),
        "{reason}"
    );
    assert!(reason.contains("Last output"), "{reason}");

    // Backoff of 1 s, then a new instance of the same model.
    let second = wait_until(|| {
        core.supervisor
            .list()
            .into_iter()
            .find(|i| i.model_id == model.id && i.id != first.id)
    })
    .await;
    let second = wait_running(&core, &second.id, Duration::from_secs(120)).await;
    core.supervisor.stop(&second.id).await.unwrap();
    assert!(!process_exists(second.pid.unwrap()));
}

/// An engine that stops answering its health endpoint while its process lives on is caught by
/// the watchdog, stopped, and reported.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_engine_is_caught_by_the_watchdog() {
    let dir = tempfile::tempdir().unwrap();
    let weights = dir.path().join("w.gguf");
    std::fs::write(&weights, b"GGUF").unwrap();
    let server = dir.path().join("fake_engine.py");
    std::fs::write(
        &server,
        "import http.server, sys, time\n\
         port = int(sys.argv[sys.argv.index('--port') + 1])\n\
         seen = 0\n\
         class H(http.server.BaseHTTPRequestHandler):\n\
         \x20   def do_GET(self):\n\
         \x20       global seen\n\
         \x20       seen += 1\n\
         \x20       if seen > 2:\n\
         \x20           time.sleep(60)\n\
         \x20       self.send_response(200); self.end_headers(); self.wfile.write(b'{}')\n\
         \x20   def log_message(self, *args): pass\n\
         print('fake engine listening', flush=True)\n\
         http.server.ThreadingHTTPServer(('127.0.0.1', port), H).serve_forever()\n",
    )
    .unwrap();
    let fake = dir.path().join("llama-server");
    std::fs::write(
        &fake,
        format!("#!/bin/sh\nexec python3 {} \"$@\"\n", server.display()),
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let core = core_in(&dir, |c| {
        c.llama_server = Some(fake.clone());
        c.watchdog_interval = Duration::from_millis(100);
        c.stop_grace = Duration::from_millis(500);
    })
    .await;
    let model = add_model(&core, "hangs", &weights.display().to_string()).await;
    let running = start_running(&core, &model.id, Duration::from_secs(30)).await;
    let failed = wait_until(|| {
        core.supervisor
            .get(&running.id)
            .ok()
            .filter(|i| i.state.is_terminal())
    })
    .await;
    let reason = failed.state.reason().expect("failed").to_string();
    assert!(
        reason.contains("stopped answering its health check (3 times in a row)"),
        "{reason}"
    );
    assert!(
        !process_exists(running.pid.unwrap()),
        "the hung engine was ended"
    );
}

/// Starts the model and waits (up to `secs`) for it to fail; returns the instance and the reason.
async fn start_until_failed(
    core: &Core,
    model_id: &str,
    secs: u64,
) -> (llmops_core::supervisor::InstanceInfo, String) {
    let started = core.supervisor.start(model_id).await.unwrap();
    let settled = core
        .supervisor
        .wait_settled(&started.id, Duration::from_secs(secs))
        .await
        .unwrap();
    let reason = settled
        .state
        .reason()
        .unwrap_or_else(|| panic!("expected a failure, got {:?}", settled.state))
        .to_string();
    (started, reason)
}

/// A weights file and an executable fake `llama-server` running `script` (sh), in `dir`.
fn fake_engine(dir: &std::path::Path, script: &str) -> (PathBuf, PathBuf) {
    let weights = dir.join("w.gguf");
    std::fs::write(&weights, b"GGUF").unwrap();
    let engine = dir.join("llama-server");
    std::fs::write(&engine, script).unwrap();
    std::fs::set_permissions(&engine, std::fs::Permissions::from_mode(0o755)).unwrap();
    (weights, engine)
}

/// Polls every 20 ms for up to 60 s.
async fn wait_until<T>(mut probe: impl FnMut() -> Option<T>) -> T {
    for _ in 0..3000 {
        if let Some(value) = probe() {
            return value;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("condition not reached within 60 s");
}

#[tokio::test]
async fn a_fixed_port_in_use_is_refused_before_any_process_starts() {
    let dir = tempfile::tempdir().unwrap();
    let (weights, fake) = fake_engine(dir.path(), "#!/bin/sh\nsleep 60\n");
    let core = core_in(&dir, |c| c.llama_server = Some(fake.clone())).await;
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let new = NewModel {
        port: Some(port),
        ..NewModel::new("fixed", weights.display().to_string())
    };
    let model = core.library.add(new).await.unwrap();
    let err = core.supervisor.start(&model.id).await.unwrap_err();
    assert_eq!(err.code(), "port_in_use");
    assert!(err.to_string().contains(&port.to_string()));
    assert!(core.supervisor.list().is_empty());
}

#[tokio::test]
async fn an_engine_that_never_becomes_healthy_times_out_and_is_ended() {
    let dir = tempfile::tempdir().unwrap();
    let (weights, fake) = fake_engine(
        dir.path(),
        "#!/bin/sh\necho 'loading, slowly'\nexec sleep 60\n",
    );
    let core = core_in(&dir, |c| {
        c.llama_server = Some(fake.clone());
        c.start_timeout = Some(Duration::from_secs(1));
        c.stop_grace = Duration::from_millis(300);
    })
    .await;
    let model = add_model(&core, "slow", &weights.display().to_string()).await;
    let (started, reason) = start_until_failed(&core, &model.id, 20).await;
    assert!(
        reason.contains("The engine was not healthy within 1 s, so it was stopped"),
        "{reason}"
    );
    assert!(reason.contains("loading, slowly"), "{reason}");
    assert!(!process_exists(started.pid.unwrap()));
}

/// Two instances at once on distinct ports, a chat with each, both stopped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_run_and_answer_side_by_side() {
    let Some(paths) = real_parts() else { return };
    let dir = tempfile::tempdir().unwrap();
    let core = core_in(&dir, |_| {}).await;
    let starter = core.library.starter().await.unwrap().unwrap();
    let weights = dir.path().join("second.gguf");
    std::os::unix::fs::symlink(paths.starter_model(), &weights).unwrap();
    let second = add_model(&core, "second", &weights.display().to_string()).await;

    let (a, b) = tokio::join!(
        core.supervisor.start(&starter.id),
        core.supervisor.start(&second.id)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_ne!(a.port, b.port);
    for instance in [&a, &b] {
        wait_running(&core, &instance.id, Duration::from_secs(120)).await;
    }
    for instance in [&a, &b] {
        let mut stream = core
            .chat
            .stream(question(&instance.id), CancellationToken::new())
            .await
            .unwrap();
        let mut text = String::new();
        while let Some(event) = stream.recv().await {
            match event {
                ChatStreamEvent::Delta { content } => text.push_str(&content),
                ChatStreamEvent::Done { .. } => break,
                ChatStreamEvent::Error { error } => panic!("{error:?}"),
                ChatStreamEvent::Reasoning { .. } | ChatStreamEvent::Started { .. } => {}
            }
        }
        assert!(
            !text.trim().is_empty(),
            "instance on port {} answered",
            instance.port
        );
    }
    core.supervisor.stop_all().await;
    for instance in [&a, &b] {
        assert!(!process_exists(instance.pid.unwrap()));
        assert!(is_port_free(instance.port));
    }
}

/// Removing a model whose engine runs stops the engine first: no process outlives its model.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_a_running_model_stops_its_engine() {
    let dir = tempfile::tempdir().unwrap();
    let (weights, fake) = fake_engine(dir.path(), "#!/bin/sh\necho serving\nexec sleep 60\n");
    let core = core_in(&dir, |c| {
        c.llama_server = Some(fake.clone());
        c.start_timeout = Some(Duration::from_secs(60));
    })
    .await;
    let model = add_model(&core, "busy", &weights.display().to_string()).await;
    let started = core.supervisor.start(&model.id).await.unwrap();
    let pid = started.pid.unwrap();
    assert_eq!(
        core.supervisor.live_instance(&model.id).unwrap().id,
        started.id
    );
    let defaults = llmops_core::chat::ChatDefaults {
        models: [(model.id.clone(), Default::default())].into(),
        ..Default::default()
    };
    core.chat.set_defaults(defaults).await.unwrap();
    core.remove_model(&model.id).await.unwrap();
    assert!(
        core.chat.defaults().await.unwrap().models.is_empty(),
        "its chat defaults went with it"
    );
    assert!(
        !process_exists(pid),
        "the engine was stopped with its model"
    );
    assert!(core.supervisor.live_instance(&model.id).is_none());
    assert_eq!(
        core.library.get(&model.id).await.unwrap_err().code(),
        "model_not_found"
    );
    // Stopping a model that does not run is a typed error.
    let idle = add_model(&core, "idle", &weights.display().to_string()).await;
    assert_eq!(
        core.supervisor
            .stop_model(&idle.id)
            .await
            .unwrap_err()
            .code(),
        "model_not_running"
    );
    // An unknown model is not found, not "not running": the supervisor asks the library.
    let unknown = core
        .supervisor
        .stop_model("0b6c1d2e-8f7a-4c3b-9d1e-2f3a4b5c6d7e")
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), "model_not_found");
}

/// `Core::deploy`'s one rollback policy: refused before a process exists → the model is removed;
/// a process ran and failed → the model stays with its failed instance, for the user to read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_rolls_back_only_what_never_ran() {
    let dir = tempfile::tempdir().unwrap();
    let (weights, fake) = fake_engine(dir.path(), "#!/bin/sh\necho 'bad weights' >&2\nexit 1\n");
    let core = core_in(&dir, |c| c.llama_server = Some(fake.clone())).await;
    let err = core
        .deploy(NewModel::new("ghost", "/nonexistent/ghost.gguf"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "model_file_missing");
    assert!(core
        .library
        .list()
        .await
        .unwrap()
        .iter()
        .all(|m| m.name != "ghost"));

    let started = core
        .deploy(NewModel::new("fails", weights.display().to_string()))
        .await
        .unwrap();
    let settled = core
        .supervisor
        .wait_settled(&started.id, Duration::from_secs(30))
        .await
        .unwrap();
    assert_eq!(settled.state.name(), "failed");
    let kept = core.library.get(&started.model_id).await.unwrap();
    assert_eq!(
        kept.name, "fails",
        "the model stays, with its failed instance"
    );
}

/// The core's log follower (behind the WebSocket and the desktop channel): it waits for a model
/// that has not run yet, sends its output, moves to the next instance when the model starts
/// again, and ends when cancelled. An unknown model is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_follower_moves_to_each_new_instance_of_a_model() {
    let dir = tempfile::tempdir().unwrap();
    let (weights, fake) = fake_engine(
        dir.path(),
        "#!/bin/sh\necho \"started $$\"\necho 'error: no GPU' >&2\nexit 1\n",
    );
    let core = core_in(&dir, |c| c.llama_server = Some(fake.clone())).await;
    let model = add_model(&core, "followed", &weights.display().to_string()).await;
    let unknown = core
        .supervisor
        .follow_model_logs(
            "0b6c1d2e-8f7a-4c3b-9d1e-2f3a4b5c6d7e",
            CancellationToken::new(),
        )
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), "model_not_found");

    let cancel = CancellationToken::new();
    let mut batches = core
        .supervisor
        .follow_model_logs(&model.id, cancel.clone())
        .await
        .unwrap();
    let mut seen = Vec::new();
    for _ in 0..2 {
        let (instance, _) = start_until_failed(&core, &model.id, 10).await;
        let texts = tokio::time::timeout(Duration::from_secs(10), async {
            let mut texts = Vec::new();
            while texts.len() < 2 {
                let batch = batches.recv().await.expect("the follower goes on");
                if batch.instance_id == instance.id {
                    texts.extend(batch.lines.into_iter().map(|l| l.text));
                }
            }
            texts
        })
        .await
        .expect("the instance's output arrives");
        assert!(texts.iter().any(|t| t.starts_with("started ")), "{texts:?}");
        assert!(texts.iter().any(|t| t == "error: no GPU"), "{texts:?}");
        seen.push(instance.id);
    }
    assert_ne!(seen[0], seen[1], "two instances, both followed");
    cancel.cancel();
    let ended = tokio::time::timeout(Duration::from_secs(5), async {
        while batches.recv().await.is_some() {}
    })
    .await;
    assert!(ended.is_ok(), "cancelling ends the stream");
}

/// A model can be edited after it is added, validated as when added; a running instance keeps
/// what it was started with, and the next start uses the edit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editing_a_model_applies_at_its_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let (weights, fake) = fake_engine(dir.path(), "#!/bin/sh\necho \"args: $*\"\nexec sleep 60\n");
    let core = core_in(&dir, |c| {
        c.llama_server = Some(fake.clone());
        c.start_timeout = Some(Duration::from_secs(60));
    })
    .await;
    let path = weights.display().to_string();
    let model = add_model(&core, "typo", &format!("{path}.missing")).await;
    assert!(model.file_missing, "the typo'd path is marked");

    // Fix the path (the error text's advice) and the context size.
    let mut edit = NewModel::new("fixed", &path);
    edit.context_size = Some(1024);
    let edited = core.update_model(&model.id, edit.clone()).await.unwrap();
    assert!(!edited.applies_at_next_start, "nothing runs");
    assert_eq!(edited.model.id, model.id);
    assert_eq!(edited.model.created_at, model.created_at);
    assert_eq!(
        (edited.model.name.as_str(), edited.model.context_size),
        ("fixed", 1024)
    );
    assert!(!edited.model.file_missing);
    assert_eq!(core.library.get(&model.id).await.unwrap(), edited.model);

    let first = core.supervisor.start(&model.id).await.unwrap();
    let args_line = |instance_id: &str| {
        core.supervisor
            .logs(instance_id, None, 100)
            .unwrap()
            .into_iter()
            .find(|l| l.text.starts_with("args: "))
            .map(|l| l.text)
    };
    let args = wait_until(|| args_line(&first.id)).await;
    assert!(args.contains("--ctx-size 1024"), "{args}");

    // Edited while it runs: the instance keeps its settings, the answer says when they apply.
    edit.context_size = Some(2048);
    let edited = core.update_model(&model.id, edit.clone()).await.unwrap();
    assert!(edited.applies_at_next_start);
    assert_eq!(
        core.supervisor.live_instance(&model.id).unwrap().id,
        first.id
    );
    core.supervisor.stop_model(&model.id).await.unwrap();
    let second = core.supervisor.start(&model.id).await.unwrap();
    let args = wait_until(|| args_line(&second.id)).await;
    assert!(args.contains("--ctx-size 2048"), "{args}");
    core.supervisor.stop_model(&model.id).await.unwrap();

    // Validated like add, and a refused edit changes nothing.
    let before = core.library.get(&model.id).await.unwrap();
    let mut bad = edit.clone();
    bad.context_size = Some(10);
    let err = core.update_model(&model.id, bad).await.unwrap_err();
    assert_eq!(err.code(), "model_context_size_invalid");
    // The values of the message travel apart, for a UI to say it in its own language.
    let params = err.body().params.expect("the error has parameters");
    assert_eq!(params["size"], "10");
    assert_eq!(params["max"], (1u32 << 20).to_string());
    let other = add_model(
        &core,
        "other",
        &dir.path().join("o.gguf").display().to_string(),
    )
    .await;
    let err = core
        .update_model(&other.id, NewModel::new("other", &path))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "model_path_duplicate");
    let err = core
        .update_model("0b6c1d2e-8f7a-4c3b-9d1e-2f3a4b5c6d7e", edit.clone())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "model_not_found");
    assert_eq!(core.library.get(&model.id).await.unwrap(), before);
}

/// Secret environment entries survive an edit that does not mention them; an empty value keeps
/// one entry; an entry left out of a given set is deleted from the secret store.
#[tokio::test]
async fn editing_a_model_keeps_or_replaces_its_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let core = core_in(&dir, |_| {}).await;
    let weights = dir.path().join("s.gguf");
    std::fs::write(&weights, b"GGUF").unwrap();
    let path = weights.display().to_string();
    let mut new = NewModel::new("secretive", &path);
    new.secret_env = Some([("HF_TOKEN".to_string(), "hf_abc".to_string())].into());
    let model = core.library.add(new).await.unwrap();
    let values = |m: llmops_core::library::Model| {
        let core = core.clone();
        async move { core.library.secret_env_values(&m).await.unwrap() }
    };

    let kept = core
        .update_model(&model.id, NewModel::new("renamed", &path))
        .await
        .unwrap()
        .model;
    assert_eq!(kept.secret_env, ["HF_TOKEN"]);
    assert_eq!(values(kept).await, [("HF_TOKEN".into(), "hf_abc".into())]);

    let mut edit = NewModel::new("renamed", &path);
    edit.secret_env = Some(
        [
            ("HF_TOKEN".to_string(), String::new()),
            ("OTHER_KEY".to_string(), "x".to_string()),
        ]
        .into(),
    );
    let both = core.update_model(&model.id, edit).await.unwrap().model;
    assert_eq!(both.secret_env, ["HF_TOKEN", "OTHER_KEY"]);
    assert_eq!(
        values(both).await,
        [
            ("HF_TOKEN".into(), "hf_abc".into()),
            ("OTHER_KEY".into(), "x".into())
        ]
    );

    let mut edit = NewModel::new("renamed", &path);
    edit.secret_env = Some([("OTHER_KEY".to_string(), "y".to_string())].into());
    let one = core.update_model(&model.id, edit).await.unwrap().model;
    assert_eq!(one.secret_env, ["OTHER_KEY"]);
    assert_eq!(values(one).await, [("OTHER_KEY".into(), "y".into())]);

    // Keeping an entry the model does not have is refused.
    let mut edit = NewModel::new("renamed", &path);
    edit.secret_env = Some([("NOPE".to_string(), String::new())].into());
    let err = core.update_model(&model.id, edit).await.unwrap_err();
    assert_eq!(err.code(), "model_secret_env_invalid");
}
