//! Linux (and, as far as it compiles, macOS): process groups and signals through `nix`, process
//! facts from `/proc`, disk space from `statvfs`.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;

use super::DiskSpace;

/// An engine and whatever it forks: the process group it leads.
#[derive(Debug)]
pub struct ProcessGroup {
    pgid: u32,
}

impl ProcessGroup {
    /// Before spawning: the child leads a new process group.
    pub fn configure(command: &mut tokio::process::Command) {
        command.process_group(0);
    }

    /// After spawning: the group the child leads.
    pub fn adopt(child: &tokio::process::Child) -> std::io::Result<ProcessGroup> {
        let pgid = child
            .id()
            .ok_or_else(|| std::io::Error::other("the engine exited as it was started"))?;
        Ok(ProcessGroup { pgid })
    }

    /// SIGTERM to the group. Always deliverable, so it returns true (the caller then waits out
    /// the grace period).
    pub fn request_stop(&self) -> bool {
        self.signal(Signal::SIGTERM);
        true
    }

    /// SIGKILL to the group: the leader and anything left of it.
    pub fn kill(&self) {
        self.signal(Signal::SIGKILL);
    }

    pub fn id(&self) -> u32 {
        self.pgid
    }

    fn signal(&self, signal: Signal) {
        // ESRCH (group already gone) is the outcome we want, not an error.
        let _ = killpg(Pid::from_raw(self.pgid as i32), signal);
    }
}

pub fn disk_space(folder: &Path) -> Option<DiskSpace> {
    let stat = nix::sys::statvfs::statvfs(folder).ok()?;
    let block = stat.fragment_size() as u64;
    Some(DiskSpace {
        total_bytes: stat.blocks() as u64 * block,
        available_bytes: stat.blocks_available() as u64 * block,
    })
}

pub fn mount_point(folder: &Path) -> Option<PathBuf> {
    let device = std::fs::metadata(folder).ok()?.dev();
    let mut mount = folder.to_path_buf();
    for ancestor in folder.ancestors().skip(1) {
        match std::fs::metadata(ancestor) {
            Ok(meta) if meta.dev() == device => mount = ancestor.to_path_buf(),
            _ => break,
        }
    }
    Some(mount)
}

pub fn is_executable(path: &Path) -> bool {
    std::fs::metadata(path)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

pub fn make_executable(path: &Path) -> std::io::Result<()> {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
}

pub fn is_disk_full(error: &std::io::Error) -> bool {
    error.raw_os_error() == Some(nix::libc::ENOSPC)
}

pub fn link_file(relative_target: &Path, _target: &Path, link: &Path) -> std::io::Result<()> {
    let temporary = super::temporary_beside(link);
    let _ = std::fs::remove_file(&temporary);
    std::os::unix::fs::symlink(relative_target, &temporary)?;
    std::fs::rename(&temporary, link)
}

pub fn process_exists(pid: u32) -> bool {
    // Signal 0 checks existence; a zombie still "exists" until reaped, so look at its state too.
    if nix::sys::signal::kill(Pid::from_raw(pid as i32), None).is_err() {
        return false;
    }
    match stat_fields(pid) {
        Some(fields) => fields.first() != Some(&"Z".to_string()),
        // No /proc (macOS): signal 0 is all we know.
        None => !Path::new("/proc/self").exists(),
    }
}

/// Field 22 of `/proc/<pid>/stat`, in clock ticks since boot.
pub fn process_start_time(pid: u32) -> Option<u64> {
    stat_fields(pid)?.get(19)?.parse().ok()
}

/// The fields of `/proc/<pid>/stat` after the command (which may hold spaces and parentheses):
/// index 0 is field 3, "state".
fn stat_fields(pid: u32) -> Option<Vec<String>> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (_, rest) = stat.rsplit_once(") ")?;
    Some(rest.split_whitespace().map(str::to_string).collect())
}

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
    if !Path::new(&format!("/proc/{root}")).exists() {
        tree.clear();
    }
    tree
}

/// utime + stime (fields 14 and 15), in clock ticks, over the ticks per second.
pub fn cpu_seconds(pid: u32) -> Option<f64> {
    let fields = stat_fields(pid)?;
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) as f64 / ticks_per_second())
}

fn ticks_per_second() -> f64 {
    static TICKS: OnceLock<f64> = OnceLock::new();
    *TICKS.get_or_init(|| {
        nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK)
            .ok()
            .flatten()
            .unwrap_or(100) as f64
    })
}

pub fn rss_bytes(pid: u32) -> Option<u64> {
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

pub fn kill_left_behind(pid: u32) {
    let _ = killpg(Pid::from_raw(pid as i32), Signal::SIGKILL);
}

pub fn looks_like_our_engine(pid: u32) -> bool {
    nix::unistd::getpgid(Some(Pid::from_raw(pid as i32)))
        .map(|group| group.as_raw() as u32 == pid)
        .unwrap_or(false)
}

pub fn describe_exit(status: std::process::ExitStatus) -> String {
    if let Some(code) = status.code() {
        return format!("exited with code {code}");
    }
    match status.signal() {
        Some(sig) => {
            let name = Signal::try_from(sig)
                .map(|s| s.as_str())
                .unwrap_or("unknown");
            format!("killed by signal {sig} ({name})")
        }
        None => "exited".to_string(),
    }
}

pub fn exit_signal(status: std::process::ExitStatus) -> Option<i32> {
    status.signal()
}
