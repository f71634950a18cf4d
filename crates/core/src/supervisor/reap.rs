//! After the app itself crashed, the engines it started may still run: an engine that ignored
//! the parent-death signal, or a container (killing the `docker run` client leaves it running).
//! At startup, find the instances the store says were alive, end those that are provably ours
//! (same pid *and* process start time; a container named after the instance), and record them
//! all as failed so that history tells the truth.

use super::process::docker_remove;
use super::store::UnfinishedInstance;
use crate::config::CoreConfig;
use crate::engine::{container_name, resolve_binary, EngineKind};
use crate::platform::{
    kill_left_behind, looks_like_our_engine, process_exists, process_start_time,
};
use crate::store::Store;
use crate::time::now_ms;

pub(super) async fn reap_survivors(store: &Store, config: &CoreConfig) {
    let survivors = match store.unfinished_instances().await {
        Ok(list) => list,
        Err(err) => return tracing::error!(%err, "could not read unfinished instances"),
    };
    for survivor in survivors {
        let mut reason = "the app exited while this instance ran";
        if let Some(pid) = survivor.pid.filter(|_| is_ours(&survivor)) {
            kill_left_behind(pid);
            tracing::warn!(id = %survivor.id, pid, "ended an engine left running by a previous run of the app");
            reason =
                "the app exited while this instance ran; its process was ended at the next start";
        }
        if survivor.engine == EngineKind::VllmDocker.as_str() {
            remove_container(config, &survivor.id);
        }
        if let Err(err) = store
            .mark_instance_lost(&survivor.id, reason, now_ms())
            .await
        {
            tracing::error!(id = %survivor.id, %err, "could not record a lost instance");
        }
    }
}

/// A recycled pid is not ours: the process must be alive, look like an engine we start (on Unix,
/// lead its own group), and have started when ours did.
fn is_ours(survivor: &UnfinishedInstance) -> bool {
    let (Some(pid), Some(started)) = (survivor.pid, survivor.proc_start) else {
        return false;
    };
    process_exists(pid) && looks_like_our_engine(pid) && process_start_time(pid) == Some(started)
}

fn remove_container(config: &CoreConfig, instance_id: &str) {
    let docker = resolve_binary(
        EngineKind::VllmDocker,
        EngineKind::VllmDocker.configured_binary(config),
        &config.paths.engines_dir(),
    );
    match docker {
        Ok(docker) => {
            let container = container_name(instance_id);
            tracing::warn!(%container, "removing a container left by a previous run of the app");
            docker_remove(&docker.path, &container);
        }
        Err(err) => tracing::warn!(%err, "cannot remove a container left behind: docker not found"),
    }
}
