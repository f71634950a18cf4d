//! The task that owns one instance's process from spawn to exit.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, BufReader};
use tokio::process::Child;

use crate::platform::{describe_exit, ProcessGroup};
use tokio::task::JoinHandle;

use super::health::{is_healthy, wait_healthy};
use super::instance::Instance;
use super::log_ring::LogStream;
use super::process::{docker_remove, end_engine};
use super::restart::after_failure;
use super::service::Shared;
use super::state::InstanceState;
use crate::bounded_lines::{read_line_capped, CappedLine};
use crate::engine::{LaunchSpec, StopStyle};
use crate::error::{ErrorBody, ErrorParams};
use crate::library::RestartPolicy;

const TAIL_LINES_IN_REASON: usize = 15;
/// Longest engine output line kept, with room for the cut marker under the log ring's 4 KiB.
const MAX_LINE_BYTES: usize = 4096 - 64;
/// Consecutive failed health checks after which a Running engine counts as hung.
const WATCHDOG_STRIKES: u32 = 3;
/// After the process exits, how long its pipes may take to deliver their last lines.
const DRAIN_TIMEOUT: Duration = Duration::from_millis(500);

enum StartOutcome {
    Ready,
    TimedOut,
    Exited(std::io::Result<std::process::ExitStatus>),
    StopRequested,
}

pub(super) async fn own_instance(
    shared: Arc<Shared>,
    instance: Arc<Instance>,
    (child, group): (Child, ProcessGroup),
    spec: LaunchSpec,
    policy: RestartPolicy,
) {
    run_to_end(&shared, &instance, child, &group, spec).await;
    let info = instance.snapshot();
    if matches!(info.state, InstanceState::Failed { .. }) {
        let ran_for =
            Duration::from_millis(info.updated_at.saturating_sub(info.started_at).max(0) as u64);
        after_failure(&shared, &info.model_id, &info.model_name, policy, ran_for);
    }
}

async fn run_to_end(
    shared: &Arc<Shared>,
    instance: &Arc<Instance>,
    mut child: Child,
    group: &ProcessGroup,
    spec: LaunchSpec,
) {
    if child.id().is_none() {
        let summary = Summary::new(
            "engine_vanished",
            Vec::new(),
            "The engine process vanished right after it was spawned".into(),
        );
        shared.transition(instance, summary.alone()).await;
        return;
    }
    let readers = capture_output(&mut child, instance);
    let health_url = format!(
        "http://127.0.0.1:{}{}",
        instance.snapshot().port,
        spec.health_path
    );

    let outcome = tokio::select! {
        status = child.wait() => StartOutcome::Exited(status),
        _ = instance.stop.cancelled() => StartOutcome::StopRequested,
        healthy = wait_healthy(&shared.http, &health_url, spec.api_key.as_deref(), spec.start_timeout, &instance.logs, spec.ready_marker) => {
            if healthy { StartOutcome::Ready } else { StartOutcome::TimedOut }
        }
    };
    match outcome {
        StartOutcome::Ready => shared.transition(instance, InstanceState::Running).await,
        StartOutcome::StopRequested => {
            return stop(shared, instance, &mut child, group, &spec.stop, readers).await
        }
        StartOutcome::Exited(status) => {
            let summary = Summary::exit(status, Phase::BeforeReady);
            return fail(shared, instance, group, &spec.stop, readers, summary).await;
        }
        StartOutcome::TimedOut => {
            let _ = end_engine(&spec.stop, &mut child, group, shared.config.stop_grace).await;
            let secs = spec.start_timeout.as_secs();
            let summary = Summary::new(
                "engine_not_ready_in_time",
                vec![("seconds", secs.to_string())],
                format!("The engine was not healthy within {secs} s, so it was stopped"),
            );
            return fail(shared, instance, group, &spec.stop, readers, summary).await;
        }
    }

    // Running: an exit is seen at once; a hung engine by the watchdog.
    let mut strikes = 0;
    loop {
        let check = async {
            tokio::time::sleep(shared.config.watchdog_interval).await;
            is_healthy(&shared.http, &health_url, spec.api_key.as_deref()).await
        };
        tokio::select! {
            status = child.wait() => {
                let summary = Summary::exit(status, Phase::WhileRunning);
                return fail(shared, instance, group, &spec.stop, readers, summary).await;
            }
            _ = instance.stop.cancelled() => return stop(shared, instance, &mut child, group, &spec.stop, readers).await,
            healthy = check => {
                strikes = if healthy { 0 } else { strikes + 1 };
                if strikes >= WATCHDOG_STRIKES {
                    let _ = end_engine(&spec.stop, &mut child, group, shared.config.stop_grace).await;
                    let summary = Summary::new(
                        "engine_unresponsive",
                        vec![("strikes", strikes.to_string())],
                        format!("The engine stopped answering its health check ({strikes} times in a row), so it was stopped"),
                    );
                    return fail(shared, instance, group, &spec.stop, readers, summary).await;
                }
            }
        }
    }
}

async fn stop(
    shared: &Shared,
    instance: &Instance,
    child: &mut Child,
    group: &ProcessGroup,
    stop_style: &StopStyle,
    readers: Vec<JoinHandle<()>>,
) {
    shared.transition(instance, InstanceState::Stopping).await;
    match end_engine(stop_style, child, group, shared.config.stop_grace).await {
        Ok(status) => {
            drain(readers).await;
            instance.log(
                LogStream::Stderr,
                format!("[llmops] engine {}", describe_exit(status)).as_bytes(),
            );
            instance.flush_log();
            shared.transition(instance, InstanceState::Stopped).await;
        }
        Err(err) => {
            let summary = Summary::new(
                "engine_exit_unconfirmed",
                vec![("detail", err.to_string())],
                format!("Could not confirm the engine exited: {err}"),
            );
            shared.transition(instance, summary.alone()).await;
        }
    }
}

async fn fail(
    shared: &Shared,
    instance: &Instance,
    group: &ProcessGroup,
    stop_style: &StopStyle,
    readers: Vec<JoinHandle<()>>,
    summary: Summary,
) {
    group.kill();
    // The client is gone; its container may not be.
    if let StopStyle::Docker { docker, container } = stop_style {
        docker_remove(docker, container);
    }
    drain(readers).await;
    instance.flush_log();
    let tail = instance.logs.tail_text(TAIL_LINES_IN_REASON);
    let hint = super::hints::hint_for(&tail);
    let text = &summary.body.message;
    let reason = match hint {
        _ if tail.is_empty() => format!("{text}; it printed nothing."),
        // The first line is the summary (alerts and toasts show only it); the output follows.
        Some((_, hint)) => format!("{text}. {hint}\nLast output:\n{tail}"),
        None => format!("{text}.\nLast output:\n{tail}"),
    };
    let failed = InstanceState::Failed {
        reason,
        summary: Some(summary.body),
        hint: hint.map(|(code, _)| code.to_string()),
    };
    shared.transition(instance, failed).await;
}

/// Why an engine failed, in English and as a code with its values.
struct Summary {
    body: ErrorBody,
}

impl Summary {
    fn new(code: &'static str, params: ErrorParams, text: String) -> Summary {
        let mut body = ErrorBody::new(code, text);
        body.params = (!params.is_empty()).then(|| {
            params
                .into_iter()
                .map(|(name, value)| (name.to_string(), value))
                .collect()
        });
        Summary { body }
    }

    /// The process ended: `engine_exited_<when>` with its exit code, `engine_killed_<when>`
    /// with its signal, or `engine_wait_failed`.
    fn exit(status: std::io::Result<std::process::ExitStatus>, phase: Phase) -> Summary {
        let status = match status {
            Ok(status) => status,
            Err(err) => {
                return Summary::new(
                    "engine_wait_failed",
                    vec![("detail", err.to_string())],
                    format!("The engine could not be waited for ({err})"),
                )
            }
        };
        let (exited, killed, text) = phase.texts();
        let text = format!("The engine {} {text}", describe_exit(status));
        match (status.code(), crate::platform::exit_signal(status)) {
            (_, Some(signal)) => Summary::new(killed, vec![("signal", signal.to_string())], text),
            (code, None) => Summary::new(
                exited,
                vec![("code", code.map_or("?".into(), |c| c.to_string()))],
                text,
            ),
        }
    }

    /// Failed with this summary and no engine output to add.
    fn alone(self) -> InstanceState {
        InstanceState::Failed {
            reason: self.body.message.clone(),
            summary: Some(self.body),
            hint: None,
        }
    }
}

/// When an engine ended on its own.
#[derive(Clone, Copy)]
enum Phase {
    BeforeReady,
    WhileRunning,
}

impl Phase {
    /// The codes for an exit and for a kill by a signal, and the words for the summary.
    fn texts(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Phase::BeforeReady => (
                "engine_exited_before_ready",
                "engine_killed_before_ready",
                "before becoming ready",
            ),
            Phase::WhileRunning => (
                "engine_exited_while_running",
                "engine_killed_while_running",
                "while running",
            ),
        }
    }
}

async fn drain(readers: Vec<JoinHandle<()>>) {
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, futures_util::future::join_all(readers)).await;
}

fn capture_output(child: &mut Child, instance: &Arc<Instance>) -> Vec<JoinHandle<()>> {
    let mut readers = Vec::new();
    if let Some(stdout) = child.stdout.take() {
        readers.push(tokio::spawn(read_lines(
            stdout,
            instance.clone(),
            LogStream::Stdout,
        )));
    }
    if let Some(stderr) = child.stderr.take() {
        readers.push(tokio::spawn(read_lines(
            stderr,
            instance.clone(),
            LogStream::Stderr,
        )));
    }
    readers
}

async fn read_lines(pipe: impl AsyncRead + Unpin, instance: Arc<Instance>, stream: LogStream) {
    let mut reader = BufReader::with_capacity(64 * 1024, pipe);
    let mut line = Vec::with_capacity(256);
    loop {
        // An engine printing without newlines (progress bars, binary) must not grow memory.
        match read_line_capped(&mut reader, &mut line, MAX_LINE_BYTES).await {
            Ok(CappedLine::End) | Err(_) => return,
            Ok(kept) => {
                if kept == CappedLine::Cut {
                    line.extend_from_slice(" … [line cut at 4 KiB]".as_bytes());
                }
                instance.log(stream, &line);
                // Write the file in bursts: when the engine has nothing more buffered.
                if reader.buffer().is_empty() {
                    instance.flush_log();
                }
            }
        }
    }
}
