//! After the app itself crashed, the engines it started may still run. At startup, find the
//! instances the store says were alive, end those processes that are provably ours, and record
//! them all as failed so that history tells the truth.

use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;

use super::process::process_exists;
use crate::store::Store;
use crate::time::now_ms;

pub(super) async fn reap_survivors(store: &Store) {
    let survivors = match store.unfinished_instances().await {
        Ok(list) => list,
        Err(err) => return tracing::error!(%err, "could not read unfinished instances"),
    };
    for (id, pid) in survivors {
        let reason = match pid {
            Some(pid) if process_exists(pid) && is_engine_group_leader(pid) => {
                let _ = killpg(Pid::from_raw(pid as i32), Signal::SIGKILL);
                tracing::warn!(%id, pid, "ended an engine left running by a previous run of the app");
                "the app exited while this instance ran; its process was ended at the next start"
            }
            _ => "the app exited while this instance ran",
        };
        if let Err(err) = store.mark_instance_lost(&id, reason, now_ms()).await {
            tracing::error!(%id, %err, "could not record a lost instance");
        }
    }
}

/// A recycled pid is not ours: require a process that leads its own group (as we spawn engines)
/// and whose command line names an engine we launch.
fn is_engine_group_leader(pid: u32) -> bool {
    let leads_group = nix::unistd::getpgid(Some(Pid::from_raw(pid as i32)))
        .map(|g| g.as_raw() as u32 == pid)
        .unwrap_or(false);
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    leads_group && String::from_utf8_lossy(&cmdline).contains("llama-server")
}
