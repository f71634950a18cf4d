//! Spawning an engine in its own process group (a Job Object on Windows) and ending the whole
//! group.

use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use tokio::process::{Child, Command};

pub use crate::platform::process_exists;
use crate::platform::ProcessGroup;

use crate::engine::{env_name_allowed, LaunchSpec, StopStyle};

/// Starts the engine in a group of its own. It inherits only the entries its engine lists (plus
/// `extra_env`, the user's `LLMOPS_ENGINE_ENV`), then the spec's own.
pub(super) fn spawn(
    spec: &LaunchSpec,
    extra_env: &[String],
) -> std::io::Result<(Child, ProcessGroup)> {
    let mut command = Command::new(&spec.program);
    // A trimmed environment: the engine's allow-list of what the server inherited, then the
    // spec's own entries (its key, secrets). Cloud credentials and other apps' keys stay out.
    command.env_clear();
    let extra: Vec<&str> = extra_env.iter().map(String::as_str).collect();
    command.envs(std::env::vars_os().filter(|(name, _)| {
        name.to_str().is_some_and(|name| {
            spec.inherit_env
                .iter()
                .any(|patterns| env_name_allowed(name, patterns))
                || env_name_allowed(name, &extra)
        })
    }));
    command.envs(spec.env.iter().map(|(name, value)| (name, value)));
    command
        .args(&spec.args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Last line of defence if the owning task is dropped without a stop.
        .kill_on_drop(true);
    // Its own group, so that stopping it also ends any helper processes it starts.
    ProcessGroup::configure(&mut command);
    #[cfg(target_os = "linux")]
    end_with_parent(&mut command, spec.on_parent_death);
    let mut child = command.spawn()?;
    match ProcessGroup::adopt(&child) {
        Ok(group) => Ok((child, group)),
        Err(err) => {
            let _ = child.start_kill();
            Err(err)
        }
    }
}

/// If the app is killed outright (SIGKILL, a crash) no cleanup code runs; ask the kernel to send
/// the engine a signal when its parent goes (SIGTERM or SIGKILL, as the engine needs), so that it
/// never lives on as an orphan.
/// The signal follows the spawning *thread*: engines are spawned from the runtime's worker
/// threads, which live as long as the app.
#[cfg(target_os = "linux")]
fn end_with_parent(command: &mut Command, on_parent_death: crate::engine::ParentDeath) {
    use nix::sys::signal::Signal;
    let parent = std::process::id();
    let signal = match on_parent_death {
        crate::engine::ParentDeath::Terminate => Signal::SIGTERM,
        crate::engine::ParentDeath::Kill => Signal::SIGKILL,
    };
    // SAFETY: between fork and exec only async-signal-safe calls are made (prctl, getppid).
    unsafe {
        command.pre_exec(move || {
            nix::sys::prctl::set_pdeathsig(signal).map_err(std::io::Error::from)?;
            // The parent may have died before prctl took effect.
            if nix::unistd::getppid().as_raw() as u32 != parent {
                return Err(std::io::Error::other(
                    "the app exited while starting the engine",
                ));
            }
            Ok(())
        });
    }
}

/// Asks the group to stop (SIGTERM; on Windows there is nothing to ask) and kills it after
/// `grace`; returns once the leader is reaped. Stragglers left in the group after the leader
/// exits are killed too.
pub(super) async fn terminate_group(
    child: &mut Child,
    group: &ProcessGroup,
    grace: Duration,
) -> std::io::Result<ExitStatus> {
    let status = if group.request_stop() {
        match tokio::time::timeout(grace, child.wait()).await {
            Ok(status) => status?,
            Err(_) => {
                tracing::warn!(
                    group = group.id(),
                    grace_ms = grace.as_millis() as u64,
                    "engine ignored the stop request; killing it"
                );
                group.kill();
                child.wait().await?
            }
        }
    } else {
        group.kill();
        child.wait().await?
    };
    group.kill();
    Ok(status)
}

/// Ends an engine the way its launch asks: `docker stop` for a container (which ends the
/// `docker run` client too), then the process group in every case.
pub(super) async fn end_engine(
    stop: &StopStyle,
    child: &mut Child,
    group: &ProcessGroup,
    grace: Duration,
) -> std::io::Result<ExitStatus> {
    if let StopStyle::Docker { docker, container } = stop {
        docker_stop(docker, container, grace).await;
    }
    terminate_group(child, group, grace).await
}

/// `docker stop -t <grace> <container>`; a failure is logged (the container may be gone).
pub(super) async fn docker_stop(docker: &std::path::Path, container: &str, grace: Duration) {
    let secs = grace.as_secs().max(1).to_string();
    let run = Command::new(docker)
        .args(["stop", "-t", &secs, container])
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output();
    match tokio::time::timeout(grace + Duration::from_secs(15), run).await {
        Ok(Ok(out)) if out.status.success() => tracing::info!(container, "docker stop done"),
        Ok(Ok(out)) => {
            tracing::warn!(container, stderr = %String::from_utf8_lossy(&out.stderr).trim(), "docker stop failed")
        }
        Ok(Err(err)) => tracing::warn!(container, %err, "could not run docker stop"),
        Err(_) => tracing::warn!(container, "docker stop timed out"),
    }
}

/// `docker rm -f <container>` without waiting: for containers a crashed run or a dead client
/// left behind.
pub(super) fn docker_remove(docker: &std::path::Path, container: &str) {
    let spawned = std::process::Command::new(docker)
        .args(["rm", "-f", container])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    match spawned {
        // Reap it on a thread so that it never lingers as a zombie.
        Ok(mut child) => {
            std::thread::spawn(move || child.wait());
        }
        Err(err) => tracing::warn!(container, %err, "could not run docker rm -f"),
    }
}

/// These run the engine through `/bin/sh`; `platform`'s tests cover the group on every OS.
#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::platform::describe_exit;

    fn spawn_for_test(spec: &LaunchSpec) -> std::io::Result<(Child, ProcessGroup)> {
        spawn(spec, &[])
    }

    fn spec(script: &str) -> LaunchSpec {
        LaunchSpec {
            program: "/bin/sh".into(),
            args: vec!["-c".into(), script.into()],
            health_path: "/health".into(),
            start_timeout: Duration::from_secs(1),
            ready_marker: None,
            served_model: "m".into(),
            stop: StopStyle::ProcessGroup,
            on_parent_death: crate::engine::ParentDeath::Terminate,
            env: vec![("LLMOPS_TEST_SECRET".into(), "s3cret".into())],
            inherit_env: &[&["PATH"]],
            api_key: None,
        }
    }

    #[tokio::test]
    async fn the_engine_gets_a_trimmed_environment_and_secrets_never_on_its_command_line() {
        std::env::set_var("LLMOPS_TEST_INHERITED_SECRET", "leak");
        let (mut child, _group) = spawn_for_test(&spec(
            "echo \"$LLMOPS_TEST_SECRET|${LLMOPS_TEST_INHERITED_SECRET:-absent}|${PATH:+path}\"",
        ))
        .unwrap();
        let mut out = String::new();
        use tokio::io::AsyncReadExt;
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut out)
            .await
            .unwrap();
        child.wait().await.unwrap();
        assert_eq!(out.trim(), "s3cret|absent|path");
    }

    #[tokio::test]
    async fn terminate_ends_the_whole_group_even_when_sigterm_is_ignored() {
        // The leader ignores SIGTERM and has a child that would outlive it.
        let (mut child, group) =
            spawn_for_test(&spec("trap '' TERM; sleep 60 & echo $!; wait")).unwrap();
        let pgid = child.id().unwrap();
        let mut out = String::new();
        use tokio::io::AsyncBufReadExt;
        tokio::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut out)
            .await
            .unwrap();
        let grandchild: u32 = out.trim().parse().unwrap();
        let status = terminate_group(&mut child, &group, Duration::from_millis(200))
            .await
            .unwrap();
        assert_eq!(describe_exit(status), "killed by signal 9 (SIGKILL)");
        // The grandchild is reparented to init and reaped there; give it a moment.
        for _ in 0..50 {
            if !process_exists(grandchild) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(!process_exists(pgid) && !process_exists(grandchild));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn an_engine_does_not_outlive_the_thread_that_started_it() {
        // Stands in for the app being killed: the spawning thread goes away without any cleanup.
        let pid = std::thread::spawn(|| {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let (child, _group) =
                runtime.block_on(async { spawn_for_test(&spec("sleep 60")).unwrap() });
            let pid = child.id().unwrap();
            std::mem::forget(child); // no kill_on_drop: only the kernel's parent-death signal remains
            pid
        })
        .join()
        .unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while process_exists(pid) && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(
            !process_exists(pid),
            "the engine outlived its parent thread"
        );
    }

    #[tokio::test]
    async fn exit_codes_are_described() {
        let (mut child, _group) = spawn_for_test(&spec("exit 3")).unwrap();
        assert_eq!(
            describe_exit(child.wait().await.unwrap()),
            "exited with code 3"
        );
    }
}
