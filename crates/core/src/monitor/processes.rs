//! Per-instance resources: the engine's process tree, its CPU use and resident memory (read by
//! `platform`: from `/proc` on Linux). Only the instances' trees are read, so on Linux the cost
//! does not grow with the number of processes on the machine.

use std::collections::HashMap;
use std::time::Instant;

use super::snapshot::InstanceResources;
use crate::platform::{cpu_seconds, rss_bytes};
pub use crate::platform::{process_name, process_tree};
use crate::supervisor::InstanceInfo;

pub(super) struct ProcessProbe {
    /// CPU seconds of each instance's tree at the previous sample.
    previous: HashMap<String, (f64, Instant)>,
    /// Where a Docker engine's container id is written (`docker run --cidfile`).
    paths: crate::paths::AppPaths,
    /// Container ids already read, by instance id: the file is read until it is there, once.
    containers: HashMap<String, String>,
}

impl ProcessProbe {
    pub fn new(paths: crate::paths::AppPaths) -> Self {
        ProcessProbe {
            previous: HashMap::new(),
            paths,
            containers: HashMap::new(),
        }
    }

    pub fn measure(&mut self, instances: &[InstanceInfo]) -> Vec<InstanceResources> {
        let now = Instant::now();
        let mut seen = HashMap::new();
        let measured: Vec<InstanceResources> = instances
            .iter()
            .filter(|i| !i.state.is_terminal())
            .filter_map(|instance| {
                let root = instance.pid?;
                let pids = process_tree(root);
                let busy: Option<f64> = pids.iter().map(|&pid| cpu_seconds(pid)).sum();
                let rss: Option<u64> = pids.iter().map(|&pid| rss_bytes(pid)).sum();
                let cpu_percent = busy.and_then(|busy| {
                    seen.insert(instance.id.clone(), (busy, now));
                    let (before, at) = self.previous.get(&instance.id)?;
                    let seconds = now.duration_since(*at).as_secs_f64();
                    (seconds > 0.0).then(|| ((busy - before).max(0.0) / seconds * 100.0) as f32)
                });
                Some(InstanceResources {
                    instance_id: instance.id.clone(),
                    model_id: instance.model_id.clone(),
                    model_name: instance.model_name.clone(),
                    pids,
                    cpu_percent,
                    rss_bytes: rss,
                    gpu_memory_bytes: None,
                    container_id: self.container_id(instance),
                })
            })
            .collect();
        self.previous = seen;
        self.containers
            .retain(|id, _| measured.iter().any(|m| &m.instance_id == id));
        measured
    }
}

impl ProcessProbe {
    /// A Docker engine's container id, once `docker run` has written it.
    fn container_id(&mut self, instance: &InstanceInfo) -> Option<String> {
        if instance.engine != crate::engine::EngineKind::VllmDocker {
            return None;
        }
        if let Some(id) = self.containers.get(&instance.id) {
            return Some(id.clone());
        }
        let file = self
            .paths
            .container_id_file(&crate::engine::container_name(&instance.id));
        let id = std::fs::read_to_string(file).ok()?.trim().to_string();
        is_container_id(&id).then(|| {
            self.containers.insert(instance.id.clone(), id.clone());
            id
        })
    }
}

/// A full container id: 64 lowercase hex digits.
pub(super) fn is_container_id(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The container a process runs in, from its cgroup path, whichever cgroup driver wrote it:
/// `0::/system.slice/docker-<id>.scope` (systemd), `12:memory:/docker/<id>` (cgroupfs),
/// `0::/machine.slice/libpod-<id>.scope` (Podman); the innermost id wins.
pub(super) fn container_of_cgroup(cgroup: &str) -> Option<String> {
    cgroup
        .lines()
        .filter_map(|line| line.splitn(3, ':').nth(2))
        .flat_map(|path| path.split('/'))
        .map(|segment| {
            let segment = segment.strip_suffix(".scope").unwrap_or(segment);
            segment
                .strip_prefix("docker-")
                .or_else(|| segment.strip_prefix("libpod-"))
                .unwrap_or(segment)
        })
        .filter(|segment| is_container_id(segment))
        .last()
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_containers_id_is_read_from_each_cgroup_drivers_path() {
        let id = "4f1c0a9e".repeat(8);
        for cgroup in [
            format!("0::/system.slice/docker-{id}.scope\n"),
            format!("12:memory:/docker/{id}\n11:cpu:/docker/{id}\n"),
            format!("0::/machine.slice/libpod-{id}.scope/container\n"),
            format!("0::/kubepods/burstable/pod1/{id}\n"),
        ] {
            assert_eq!(
                container_of_cgroup(&cgroup).as_deref(),
                Some(id.as_str()),
                "{cgroup}"
            );
        }
        for cgroup in [
            "0::/user.slice/user-1000.slice/session-2.scope\n",
            "0::/system.slice/docker.service\n",
            "",
        ] {
            assert_eq!(container_of_cgroup(cgroup), None, "{cgroup}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn finds_children_and_reads_their_resources() {
        let mut parent = std::process::Command::new("/bin/sh")
            .args(["-c", "sleep 30 & sleep 30 & wait"])
            .spawn()
            .unwrap();
        let pid = parent.id();
        let mut tree = Vec::new();
        // Forked children are `sh` until they exec `sleep`.
        let settled = |tree: &[u32]| {
            tree.len() == 3
                && tree[1..]
                    .iter()
                    .all(|&p| process_name(p).as_deref() == Some("sleep"))
        };
        for _ in 0..200 {
            tree = process_tree(pid);
            if settled(&tree) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert_eq!(tree.len(), 3, "{tree:?}");
        assert_eq!(tree[0], pid);
        assert!(tree
            .iter()
            .all(|&p| rss_bytes(p).unwrap() > 0 && cpu_seconds(p).is_some()));
        assert_eq!(process_name(tree[1]).as_deref(), Some("sleep"));
        let _ = std::process::Command::new("pkill")
            .args(["-P", &pid.to_string()])
            .status();
        parent.kill().unwrap();
        parent.wait().unwrap();
        assert!(process_tree(pid).is_empty());
    }
}
