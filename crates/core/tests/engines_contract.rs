//! vLLM (process and Docker) and custom engines by contract: fake `vllm` and `docker`
//! executables record their exact argv and serve a stand-in OpenAI API (tests/fake_engines),
//! so that start, readiness, chat (with the served model name), stop and crash clean-up run
//! through the real supervisor. Real vLLM and Docker are not available on the test machines.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use llmops_core::chat::{ChatStreamEvent, ChatTarget, NewConversation, TurnRequest};
use llmops_core::engine::{CustomSettings, EngineSettings, VllmDockerSettings, VllmSettings};
use llmops_core::error::CodedError;
use llmops_core::events::Event;
use llmops_core::library::{Model, NewModel};
use llmops_core::supervisor::{process_exists, InstanceInfo, InstanceState};
use llmops_core::Core;
use tokio_util::sync::CancellationToken;

use common::{cache_dir, core_in, start_running, FakeNvml};

fn fakes() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fake_engines")
}

fn python_available() -> bool {
    let ok = std::process::Command::new("python3")
        .arg("--version")
        .output()
        .is_ok();
    if !ok && std::env::var("CI").as_deref() == Ok("true") {
        panic!("python3 is needed by the engine contract tests (the stand-in server)");
    }
    ok
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(str::to_string)
        .collect()
}

async fn add(
    core: &Core,
    name: &str,
    path: &str,
    settings: EngineSettings,
    extra: &[&str],
) -> Model {
    core.library
        .add(NewModel {
            name: name.into(),
            path: path.into(),
            engine: None,
            context_size: Some(8192),
            extra_args: Some(extra.iter().map(|s| s.to_string()).collect()),
            restart_policy: None,
            port: None,
            settings: Some(settings),
            secret_env: None,
            gpus: None,
        })
        .await
        .unwrap()
}

async fn start(core: &Core, model: &Model) -> InstanceInfo {
    start_running(core, &model.id, Duration::from_secs(30)).await
}

/// Where the fake engines record their argv: one folder for the whole test binary, because
/// the environment is shared by the tests running in parallel (file names differ per engine).
fn fake_log() -> &'static Path {
    static LOG: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    LOG.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        std::env::set_var("FAKE_ENGINE_LOG", dir.path());
        dir
    })
    .path()
}

/// Sends one message through a saved conversation and returns the answer.
async fn chat(core: &Core, model: &Model) -> String {
    let conversation = core
        .chat
        .create_conversation(NewConversation {
            target: ChatTarget::Model {
                model_id: model.id.clone(),
            },
            title: None,
            params: None,
        })
        .await
        .unwrap();
    let mut events = core
        .chat
        .turn(
            &conversation.id,
            TurnRequest::Send {
                content: "ping pong".into(),
            },
            CancellationToken::new(),
        )
        .await
        .unwrap();
    let mut text = String::new();
    while let Some(event) = events.recv().await {
        match event {
            ChatStreamEvent::Delta { content } => text.push_str(&content),
            ChatStreamEvent::Done { .. } => return text,
            ChatStreamEvent::Error { error } => panic!("chat failed: {error:?}"),
            _ => {}
        }
    }
    panic!("no end of stream")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vllm_as_a_process_gets_the_exact_argv_and_serves_under_its_name() {
    if !python_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let log = fake_log();
    let core = core_in(&dir, |c| c.vllm = Some(fakes().join("vllm"))).await;
    let mut events = core.bus.subscribe();
    let settings = EngineSettings::Vllm(VllmSettings {
        gpu_memory_utilization: Some(0.85),
        dtype: Some("bfloat16".into()),
        tensor_parallel_size: Some(2),
        max_num_seqs: Some(64),
        trust_remote_code: true,
        served_model_name: Some("qwen-small".into()),
    });
    let model = add(
        &core,
        "Qwen small",
        "Qwen/Qwen2.5-0.5B-Instruct",
        settings,
        &["--enforce-eager"],
    )
    .await;
    let running = start(&core, &model).await;
    assert_eq!(running.served_model, "qwen-small");
    assert_eq!(running.binary_version.as_deref(), Some("0.6.3.post1"));
    assert_eq!(
        lines(&log.join("vllm.argv")),
        [
            "serve",
            "Qwen/Qwen2.5-0.5B-Instruct",
            "--gpu-memory-utilization",
            "0.85",
            "--dtype",
            "bfloat16",
            "--tensor-parallel-size",
            "2",
            "--max-num-seqs",
            "64",
            "--trust-remote-code",
            "--enforce-eager",
            // The flags llmops manages come last: argparse keeps the last value.
            "--max-model-len",
            "8192",
            "--served-model-name",
            "qwen-small",
            "--host",
            "127.0.0.1",
            "--port",
            &running.port.to_string(),
        ]
    );
    // Pending → Starting → Running, each published.
    let mut seen = Vec::new();
    while let Ok(Ok(event)) = tokio::time::timeout(Duration::from_millis(100), events.recv()).await
    {
        if let Event::ModelStatusUpdate(info) = event {
            if info.id == running.id {
                seen.push(info.state.name());
            }
        }
    }
    assert_eq!(seen, ["pending", "starting", "running"]);

    assert_eq!(chat(&core, &model).await, "echo: ping pong");
    let pid = running.pid.unwrap();
    let stopped = core.supervisor.stop(&running.id).await.unwrap();
    assert_eq!(stopped.state, InstanceState::Stopped);
    assert!(!process_exists(pid));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vllm_in_docker_is_published_on_loopback_and_stopped_with_docker_stop() {
    if !python_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let log = fake_log();
    let core = core_in(&dir, |c| c.docker = Some(fakes().join("docker"))).await;
    let settings = EngineSettings::VllmDocker(VllmDockerSettings {
        image: Some("vllm/vllm-openai:v0.6.3".into()),
        gpus: Some("device=0".into()),
        hf_cache: Some("/srv/hf".into()),
        env: vec!["HF_TOKEN=hf_x".into()],
        vllm: VllmSettings {
            served_model_name: Some("mistral".into()),
            ..Default::default()
        },
    });
    let model = add(
        &core,
        "Mistral",
        "mistralai/Mistral-7B-Instruct-v0.3",
        settings,
        &[],
    )
    .await;
    let running = start(&core, &model).await;
    let container = format!("llmops-{}", running.id);
    assert_eq!(
        running.binary_version.as_deref(),
        Some("Docker version 28.2.2, build fake")
    );
    assert_eq!(
        lines(&log.join(format!("docker-run-{container}.argv"))),
        [
            "run",
            "--rm",
            "--name",
            &container,
            "--gpus",
            "device=0",
            "--ipc=host",
            "-p",
            &format!("127.0.0.1:{}:8000", running.port),
            "--cidfile",
            &dir.path()
                .join(format!("data/run/{container}.cid"))
                .display()
                .to_string(),
            "-v",
            "/srv/hf:/root/.cache/huggingface",
            // Names only: the values reach the container through docker's environment.
            "-e",
            "HF_TOKEN",
            "-e",
            "VLLM_API_KEY",
            "vllm/vllm-openai:v0.6.3",
            "--model",
            "mistralai/Mistral-7B-Instruct-v0.3",
            "--max-model-len",
            "8192",
            "--served-model-name",
            "mistral",
        ]
    );
    assert_eq!(chat(&core, &model).await, "echo: ping pong");
    let stopped = core.supervisor.stop(&running.id).await.unwrap();
    assert_eq!(stopped.state, InstanceState::Stopped);
    // The log is shared with the other Docker tests: this container's stop, once.
    let stops = lines(&log.join("docker-stop.argv"));
    let ours: Vec<&[String]> = stops
        .chunks(4)
        .filter(|stop| stop[3] == container)
        .collect();
    assert_eq!(ours, [["stop", "-t", "5", &container]]);
    assert!(!process_exists(running.pid.unwrap()));

    // A crashed run leaves the instance unfinished in the store: the next start removes its
    // container (the client dies with the app; the container would not).
    let ghost = running.id.replace(|c: char| c.is_ascii_hexdigit(), "a");
    sqlx_insert_unfinished(&dir, &ghost).await;
    drop(core);
    let _core = core_in(&dir, |c| c.docker = Some(fakes().join("docker"))).await;
    let removed = format!("llmops-{ghost}");
    for _ in 0..50 {
        if std::fs::read_to_string(log.join("docker-rm.argv")).is_ok_and(|t| t.contains(&removed)) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the container of a crashed run was not removed");
}

/// What a crash leaves: an instance row still `running`.
async fn sqlx_insert_unfinished(dir: &tempfile::TempDir, id: &str) {
    let store = llmops_core::store::Store::open(&dir.path().join("data/llmops.sqlite"))
        .await
        .unwrap();
    let info = InstanceInfo {
        id: id.into(),
        model_id: "m".into(),
        model_name: "Mistral".into(),
        served_model: "mistral".into(),
        engine: llmops_core::engine::EngineKind::VllmDocker,
        port: 1,
        pid: None,
        state: InstanceState::Running,
        base_url: String::new(),
        binary: "docker".into(),
        binary_source: "configured".into(),
        binary_version: None,
        gpus: None,
        context_size: 2048,
        started_at: 0,
        updated_at: 0,
    };
    store.record_instance_state(&info).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_custom_command_template_is_expanded_into_argv_without_a_shell() {
    if !python_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let core = core_in(&dir, |_| {}).await;
    let stub = fakes().join("openai_stub.py").display().to_string();
    let settings = EngineSettings::Custom(CustomSettings {
        command: vec![
            "python3".into(),
            stub,
            "--port".into(),
            "{port}".into(),
            "--served-model-name".into(),
            "{name}".into(),
            "--weights".into(),
            "{model}; rm -rf /".into(),
        ],
        health_path: "/v1/models".into(),
        start_timeout_secs: Some(30),
        served_model_name: None,
    });
    let model = add(&core, "custom-stub", "/weights/x", settings, &[]).await;
    let running = start(&core, &model).await;
    assert_eq!(running.binary_source, "PATH");
    let cmdline = std::fs::read(format!("/proc/{}/cmdline", running.pid.unwrap())).unwrap();
    let argv: Vec<String> = cmdline
        .split(|b| *b == 0)
        .filter(|a| !a.is_empty())
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    assert_eq!(
        argv[argv.len() - 6..],
        [
            "--port".to_string(),
            running.port.to_string(),
            "--served-model-name".into(),
            "custom-stub".into(),
            "--weights".into(),
            "/weights/x; rm -rf /".into(),
        ]
    );
    assert_eq!(chat(&core, &model).await, "echo: ping pong");
    core.supervisor.stop(&running.id).await.unwrap();

    // Bad templates are refused when added; a missing program when started.
    let bad = |command: &[&str]| NewModel {
        name: "bad".into(),
        path: "x".into(),
        engine: None,
        context_size: None,
        extra_args: None,
        restart_policy: None,
        port: None,
        settings: Some(EngineSettings::Custom(CustomSettings {
            command: command.iter().map(|s| s.to_string()).collect(),
            health_path: "/health".into(),
            ..Default::default()
        })),
        secret_env: None,
        gpus: None,
    };
    for command in [
        &["srv", "--port", "{prot}"][..],
        &["srv", "--no-port"][..],
        &[][..],
    ] {
        let err = core.library.add(bad(command)).await.unwrap_err();
        assert_eq!(err.code(), "model_settings_invalid", "{command:?}: {err}");
    }
    let missing = core
        .library
        .add(bad(&["/nonexistent/server", "--port", "{port}"]))
        .await
        .unwrap();
    let err = core.supervisor.start(&missing.id).await.unwrap_err();
    assert_eq!(err.code(), "engine_command_not_found");
    assert!(core
        .supervisor
        .list()
        .iter()
        .all(|i| i.model_id != missing.id || i.state.is_terminal()));
}

/// A `docker` client whose daemon is down is not "found": Deploy must not offer an engine that
/// cannot run a container. With the daemon up, the same client is ready.
#[tokio::test]
async fn docker_without_its_daemon_is_reported_with_what_to_do() {
    let docker_info = |core: Core| async move {
        let engines = core.supervisor.engines().await;
        engines
            .into_iter()
            .find(|e| e.engine == llmops_core::engine::EngineKind::VllmDocker)
            .unwrap()
    };
    let dir = tempfile::tempdir().unwrap();
    let down = core_in(&dir, |c| c.docker = Some(fakes().join("docker-no-daemon"))).await;
    let info = docker_info(down).await;
    assert_eq!(
        info.version.as_deref(),
        Some("Docker version 28.2.2, build fake")
    );
    let problem = info
        .problem
        .expect("a daemon that does not answer is a problem");
    assert_eq!(problem.code, "engine_daemon_unreachable");
    assert!(
        problem
            .message
            .contains("Cannot connect to the Docker daemon"),
        "{}",
        problem.message
    );
    assert!(
        problem.message.contains("systemctl start docker"),
        "{}",
        problem.message
    );

    let dir = tempfile::tempdir().unwrap();
    let up = core_in(&dir, |c| c.docker = Some(fakes().join("docker"))).await;
    assert_eq!(docker_info(up).await.problem, None);
}

/// vLLM's workers run inside the container: NVML reports them by host pid, as children of the
/// container runtime, not of `docker run`. Their GPU memory counts for the instance through the
/// container id (`docker run --cidfile`) that their cgroup carries. The cgroup files are written
/// under a stand-in `/proc`, since a test cannot put a process in a container's cgroup.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gpu_memory_in_a_docker_container_counts_for_its_instance() {
    if !python_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let _log = fake_log();
    let fake = FakeNvml::build(&[]);
    let proc_root = tempfile::tempdir().unwrap();
    let paths = llmops_core::paths::AppPaths::new(dir.path().join("data"), cache_dir());
    let mut config = llmops_core::config::CoreConfig::new(paths.clone());
    config.engine_env = vec!["FAKE_ENGINE_LOG".into()];
    config.docker = Some(fakes().join("docker"));
    let monitor =
        llmops_core::monitor::SystemMonitor::with_gpu_backend(&config, Box::new(fake.backend()))
            .with_proc_root(proc_root.path().to_path_buf());
    let core = Core::open_with_monitor(config, monitor).await.unwrap();
    let model = add(
        &core,
        "Qwen in Docker",
        "Qwen/Qwen2.5-7B-Instruct",
        EngineSettings::VllmDocker(VllmDockerSettings::default()),
        &[],
    )
    .await;
    let running = start(&core, &model).await;
    let container = format!("llmops-{}", running.id);
    let id_file = paths.container_id_file(&container);
    let container_id = std::fs::read_to_string(&id_file)
        .unwrap()
        .trim()
        .to_string();
    assert_eq!(container_id.len(), 64);

    let (worker, stranger) = (4_000_001u32, 4_000_002u32);
    for (pid, cgroup) in [
        (
            worker,
            format!("0::/system.slice/docker-{container_id}.scope\n"),
        ),
        (
            stranger,
            "0::/system.slice/docker-".to_string() + &"e".repeat(64) + ".scope\n",
        ),
    ] {
        let folder = proc_root.path().join(pid.to_string());
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join("cgroup"), cgroup).unwrap();
    }
    fake.set_processes(&format!(
        "0 {worker} 2048\n1 {worker} 1024\n0 {stranger} 512\n"
    ));

    let snapshot = core.sample_now().await;
    let ours = snapshot
        .instances
        .iter()
        .find(|i| i.instance_id == running.id)
        .unwrap();
    assert_eq!(ours.container_id.as_deref(), Some(container_id.as_str()));
    assert_eq!(ours.gpu_memory_bytes, Some(3072 << 20));
    let llmops_core::monitor::GpuStatus::Available { gpus, .. } = &snapshot.gpu else {
        panic!("no GPUs")
    };
    let on_gpu0 = gpus[0].processes.clone().unwrap();
    let by_pid = |pid: u32| on_gpu0.iter().find(|p| p.pid == pid).unwrap();
    assert_eq!(
        by_pid(worker).instance_id.as_deref(),
        Some(running.id.as_str())
    );
    assert_eq!(by_pid(worker).model_name.as_deref(), Some("Qwen in Docker"));
    // Another container's process stays "other".
    assert_eq!(by_pid(stranger).instance_id, None);
    core.supervisor.stop(&running.id).await.unwrap();
}
