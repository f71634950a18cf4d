//! Per-instance resources from `/proc`: the engine's process tree, its CPU use and resident
//! memory. Only the instances' trees are read, so the cost does not grow with the number of
//! processes on the machine.

use std::collections::HashMap;
use std::time::Instant;

use super::snapshot::InstanceResources;
use crate::supervisor::InstanceInfo;

pub(super) struct ProcessProbe {
    /// CPU ticks of each instance's tree at the previous sample.
    previous: HashMap<String, (u64, Instant)>,
    ticks_per_second: f64,
}

impl ProcessProbe {
    pub fn new() -> Self {
        let ticks = nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK)
            .ok()
            .flatten()
            .unwrap_or(100);
        ProcessProbe {
            previous: HashMap::new(),
            ticks_per_second: ticks as f64,
        }
    }

    pub fn measure(&mut self, instances: &[InstanceInfo]) -> Vec<InstanceResources> {
        let now = Instant::now();
        let mut seen = HashMap::new();
        let measured = instances
            .iter()
            .filter(|i| !i.state.is_terminal())
            .filter_map(|instance| {
                let root = instance.pid?;
                let pids = process_tree(root);
                let ticks: Option<u64> = pids.iter().map(|&pid| cpu_ticks(pid)).sum();
                let rss: Option<u64> = pids.iter().map(|&pid| rss_bytes(pid)).sum();
                let cpu_percent = ticks.and_then(|ticks| {
                    seen.insert(instance.id.clone(), (ticks, now));
                    let (before, at) = self.previous.get(&instance.id)?;
                    let seconds = now.duration_since(*at).as_secs_f64();
                    (seconds > 0.0).then(|| {
                        ((ticks.saturating_sub(*before)) as f64 / self.ticks_per_second / seconds
                            * 100.0) as f32
                    })
                });
                Some(InstanceResources {
                    instance_id: instance.id.clone(),
                    model_id: instance.model_id.clone(),
                    model_name: instance.model_name.clone(),
                    pids,
                    cpu_percent,
                    rss_bytes: rss,
                    gpu_memory_bytes: None,
                })
            })
            .collect();
        self.previous = seen;
        measured
    }
}

/// The process and all its descendants (threads' children included), parents first.
pub fn process_tree(root: u32) -> Vec<u32> {
    let mut tree = vec![root];
    let mut next = 0;
    while next < tree.len() {
        let pid = tree[next];
        next += 1;
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
            continue;
        };
        for task in tasks.flatten() {
            let children =
                std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
            for child in children
                .split_whitespace()
                .filter_map(|c| c.parse::<u32>().ok())
            {
                if !tree.contains(&child) {
                    tree.push(child);
                }
            }
        }
    }
    if !std::path::Path::new(&format!("/proc/{root}")).exists() {
        tree.clear();
    }
    tree
}

/// utime + stime, in clock ticks.
fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may contain spaces and parentheses; fields start after the last ") ".
    let fields: Vec<&str> = stat.rsplit_once(") ")?.1.split_whitespace().collect();
    // After the name: state is field 3; utime and stime are fields 14 and 15.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

fn rss_bytes(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

pub fn process_name(pid: u32) -> Option<String> {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .ok()
        .map(|s| s.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

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
            .all(|&p| rss_bytes(p).unwrap() > 0 && cpu_ticks(p).is_some()));
        assert_eq!(process_name(tree[1]).as_deref(), Some("sleep"));
        let _ = std::process::Command::new("pkill")
            .args(["-P", &pid.to_string()])
            .status();
        parent.kill().unwrap();
        parent.wait().unwrap();
        assert!(process_tree(pid).is_empty());
    }
}
