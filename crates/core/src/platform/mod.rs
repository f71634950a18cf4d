//! What differs between operating systems, behind one interface: process groups that end with
//! the app, process trees and their resources, disk space, executables and file links. Every
//! other module of the core is portable and calls these instead of `nix`, `/proc` or Win32.
//!
//! `unix.rs` serves Linux (and compiles for macOS, where the `/proc` readers find nothing);
//! `windows.rs` serves Windows through Win32 (`windows-sys`). Each function documents the
//! contract both sides keep; `docs/PLATFORMS.md` says what was verified where.

use std::path::{Path, PathBuf};

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as imp;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as imp;

pub use imp::ProcessGroup;

/// What an executable's file name ends with here: `""`, or `".exe"` on Windows.
pub const EXE_SUFFIX: &str = std::env::consts::EXE_SUFFIX;

/// `name` as an executable's file name here: `llama-server.exe` on Windows for `llama-server`;
/// a name that already has an extension is kept.
pub fn executable_name(name: &str) -> String {
    if EXE_SUFFIX.is_empty() || Path::new(name).extension().is_some() {
        name.to_string()
    } else {
        format!("{name}{EXE_SUFFIX}")
    }
}

/// Whether a command names a file by its path (`./x`, `/opt/x`, `C:\x.exe`) rather than a program
/// to look up on PATH.
pub fn is_path_like(program: &str) -> bool {
    program.contains('/') || (cfg!(windows) && program.contains('\\'))
}

/// Size and free space of the file system that holds a folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiskSpace {
    pub total_bytes: u64,
    /// What this user may still write (quotas and reserved blocks taken off).
    pub available_bytes: u64,
}

/// The space of the file system that holds `folder` (which must exist).
pub fn disk_space(folder: &Path) -> Option<DiskSpace> {
    imp::disk_space(folder)
}

/// Where the file system that holds `folder` is mounted: the topmost ancestor on the same device
/// (Unix), or the volume's root such as `C:\` (Windows). `folder` itself when unknown.
pub fn mount_point(folder: &Path) -> PathBuf {
    imp::mount_point(folder).unwrap_or_else(|| folder.to_path_buf())
}

/// A regular file this user may run: any execute bit (Unix), or an `.exe`, `.com`, `.bat` or
/// `.cmd` file (Windows).
pub fn is_executable(path: &Path) -> bool {
    imp::is_executable(path)
}

/// Makes a file just unpacked from an archive runnable (mode 0755 on Unix; nothing to do on
/// Windows, where the extension decides).
pub fn make_executable(path: &Path) -> std::io::Result<()> {
    imp::make_executable(path)
}

/// Whether an I/O error means the disk is full (ENOSPC; ERROR_DISK_FULL or
/// ERROR_HANDLE_DISK_FULL).
pub fn is_disk_full(error: &std::io::Error) -> bool {
    imp::is_disk_full(error)
}

/// Makes `link` a name for the file at `target` (`relative_target` is the same file, relative
/// to `link`'s folder). A relative symlink where the OS allows one; on Windows, where symlinks
/// need Developer Mode, a hard link, else a copy (as `huggingface_hub` does there).
/// `link` is replaced atomically if it exists.
pub fn link_file(relative_target: &Path, target: &Path, link: &Path) -> std::io::Result<()> {
    imp::link_file(relative_target, target, link)
}

/// Busy and total time of each logical core since boot, in the OS's unit (100 ns on Windows),
/// for usage as the difference of two readings. Windows only: elsewhere `sysinfo` reads the CPU
/// (on Windows it uses PDH counters, which Wine lacks and which need a query thread).
#[cfg(windows)]
pub fn cpu_core_times() -> Option<Vec<(u64, u64)>> {
    imp::cpu_core_times()
}

/// The processor's name from CPUID (x86_64), e.g. "AMD Ryzen 9 7950X 16-Core Processor".
pub fn cpu_brand() -> Option<String> {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::__cpuid;
        // Leaf 0x80000000 says which extended leaves exist; the brand string is in leaves
        // 0x80000002 to 0x80000004.
        let highest = __cpuid(0x8000_0000).eax;
        if highest < 0x8000_0004 {
            return None;
        }
        let mut bytes = Vec::with_capacity(48);
        for leaf in 0x8000_0002u32..=0x8000_0004 {
            let r = __cpuid(leaf);
            for word in [r.eax, r.ebx, r.ecx, r.edx] {
                bytes.extend_from_slice(&word.to_le_bytes());
            }
        }
        let text = String::from_utf8_lossy(&bytes);
        let brand = text.trim_matches(char::from(0)).trim();
        (!brand.is_empty()).then(|| brand.to_string())
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        None
    }
}

/// `.<name>.llmops-link` in the same folder as `link`, so that the rename stays on one file system.
fn temporary_beside(link: &Path) -> PathBuf {
    let name = link.file_name().unwrap_or_default().to_string_lossy();
    link.with_file_name(format!(".{name}.llmops-link"))
}

/// Whether the process lives (a zombie that waits to be reaped does not).
pub fn process_exists(pid: u32) -> bool {
    imp::process_exists(pid)
}

/// When the process started, in a unit of this OS (clock ticks since boot on Linux, 100 ns since
/// 1601 on Windows): with the pid it identifies one process even after the pid is reused.
pub fn process_start_time(pid: u32) -> Option<u64> {
    imp::process_start_time(pid)
}

/// The process and all its descendants, parents first; empty when `root` does not exist.
pub fn process_tree(root: u32) -> Vec<u32> {
    imp::process_tree(root)
}

/// CPU time the process has used, user and system together, in seconds.
pub fn cpu_seconds(pid: u32) -> Option<f64> {
    imp::cpu_seconds(pid)
}

/// Resident memory (the working set on Windows), in bytes.
pub fn rss_bytes(pid: u32) -> Option<u64> {
    imp::rss_bytes(pid)
}

/// The process's short name (`comm` on Linux; the image file name on Windows).
pub fn process_name(pid: u32) -> Option<String> {
    imp::process_name(pid)
}

/// Ends a process left by an earlier run of the app and everything it started: the process group
/// it leads (Unix), or its process tree (Windows). Call only for a process proven to be ours.
pub fn kill_left_behind(pid: u32) {
    imp::kill_left_behind(pid)
}

/// Whether a process left by an earlier run still looks like an engine we started: on Unix it
/// must lead its own process group, as every engine does.
pub fn looks_like_our_engine(pid: u32) -> bool {
    imp::looks_like_our_engine(pid)
}

/// How a process ended, in words: "exited with code 1", "killed by signal 9 (SIGKILL)",
/// "ended with status 0xC0000005 (access violation)".
pub fn describe_exit(status: std::process::ExitStatus) -> String {
    imp::describe_exit(status)
}

/// The signal that ended the process, where the OS has signals.
pub fn exit_signal(status: std::process::ExitStatus) -> Option<i32> {
    imp::exit_signal(status)
}

/// These run on every OS (under Wine for Windows, see `scripts/test-windows.sh`). The processes
/// they start are this test binary itself, running the group test below with a role in
/// `LLMOPS_PLATFORM_TEST_HELPER`, so that nothing depends on a shell.
#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};
    use tokio::io::AsyncBufReadExt;

    const HELPER: &str = "LLMOPS_PLATFORM_TEST_HELPER";

    /// The test a helper process runs: with a role set, it plays that role instead.
    const HELPER_TEST: &str =
        "platform::tests::a_group_holds_what_its_leader_starts_and_kill_ends_them_all";

    /// A command that runs this test binary as a helper: `sleep` sleeps a minute; `parent`
    /// starts a `sleep` helper, prints its pid as `helper-pid <pid>`, then sleeps.
    fn helper(role: &str) -> tokio::process::Command {
        let mut command = tokio::process::Command::new(std::env::current_exe().unwrap());
        command
            .args(["--exact", HELPER_TEST, "--nocapture", "--test-threads=1"])
            .env(HELPER, role)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true);
        command
    }

    /// Plays a helper's role when this process was started as one; false otherwise.
    fn play_helper_role() -> bool {
        match std::env::var(HELPER).as_deref() {
            Ok("parent") => {
                let child = std::process::Command::new(std::env::current_exe().unwrap())
                    .args(["--exact", HELPER_TEST])
                    .env(HELPER, "sleep")
                    .stdout(std::process::Stdio::null())
                    .spawn()
                    .unwrap();
                println!("helper-pid {}", child.id());
                std::thread::sleep(Duration::from_secs(60));
                true
            }
            Ok("sleep") => {
                std::thread::sleep(Duration::from_secs(60));
                true
            }
            _ => false,
        }
    }

    /// Starts a `parent` helper in its own group; returns it, its group and its child's pid.
    async fn parent_in_group() -> (tokio::process::Child, ProcessGroup, u32) {
        let mut command = helper("parent");
        ProcessGroup::configure(&mut command);
        let mut child = command.spawn().unwrap();
        let group = ProcessGroup::adopt(&child).unwrap();
        let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let grandchild = loop {
            let line = lines.next_line().await.unwrap().expect("the helper's pid");
            // libtest prints "test … ... " without a newline before the test's own output.
            if let Some((_, pid)) = line.split_once("helper-pid ") {
                break pid.trim().parse().unwrap();
            }
        };
        (child, group, grandchild)
    }

    fn gone_within(pid: u32, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        while process_exists(pid) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        !process_exists(pid)
    }

    #[tokio::test]
    async fn a_group_holds_what_its_leader_starts_and_kill_ends_them_all() {
        if play_helper_role() {
            return;
        }
        let (mut child, group, grandchild) = parent_in_group().await;
        let leader = child.id().unwrap();
        assert_eq!(group.id(), leader);
        let tree = process_tree(leader);
        assert_eq!(tree.first(), Some(&leader), "{tree:?}");
        assert!(tree.contains(&grandchild), "{tree:?} lacks {grandchild}");
        for pid in [leader, grandchild] {
            assert!(process_exists(pid));
            assert!(process_start_time(pid).is_some());
            assert!(cpu_seconds(pid).is_some_and(|s| s >= 0.0));
            assert!(rss_bytes(pid).is_some_and(|b| b > 0));
            let name = process_name(pid).unwrap();
            assert!(name.starts_with("llmops_core"), "{name}");
        }
        group.kill();
        child.wait().await.unwrap();
        assert!(gone_within(grandchild, Duration::from_secs(5)));
        assert!(process_tree(leader).is_empty());
    }

    /// The app dies without any cleanup: on Windows the OS closes its handles, the job's last
    /// handle among them, and kill-on-close ends the engine and what it started.
    #[cfg(windows)]
    #[tokio::test]
    async fn closing_the_job_ends_the_engine_and_its_children() {
        let (mut child, group, grandchild) = parent_in_group().await;
        drop(group);
        child.wait().await.unwrap();
        assert!(gone_within(grandchild, Duration::from_secs(5)));
    }

    #[tokio::test]
    async fn start_time_tells_a_process_from_a_reused_pid() {
        let me = std::process::id();
        let started = process_start_time(me).expect("our own start time");
        assert_eq!(process_start_time(me), Some(started));
        let mut other = helper("sleep").spawn().unwrap();
        let pid = other.id().unwrap();
        assert!(process_start_time(pid).is_some_and(|t| t >= started));
        other.kill().await.unwrap();
        assert!(gone_within(pid, Duration::from_secs(5)));
        assert_eq!(process_start_time(pid), None);
        assert!(!process_exists(u32::MAX - 1));
    }

    #[test]
    fn disk_space_and_mount_point_of_a_folder() {
        let dir = tempfile::tempdir().unwrap();
        let space = disk_space(dir.path()).unwrap();
        assert!(space.total_bytes > 0 && space.available_bytes <= space.total_bytes);
        let mount = mount_point(dir.path());
        assert!(dir.path().starts_with(&mount), "{mount:?}");
        assert_eq!(disk_space(&dir.path().join("missing")), None);
    }

    #[test]
    fn executables_are_told_from_other_files() {
        assert!(is_executable(&std::env::current_exe().unwrap()));
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("notes.txt");
        std::fs::write(&plain, "x").unwrap();
        assert!(!is_executable(&plain));
        assert!(!is_executable(dir.path()));
        let tool = dir.path().join(executable_name("tool"));
        std::fs::write(&tool, "x").unwrap();
        make_executable(&tool).unwrap();
        assert!(is_executable(&tool));
        assert_eq!(executable_name("run.cmd"), "run.cmd");
        assert!(is_path_like("./llama-server") && !is_path_like("llama-server"));
    }

    #[test]
    fn a_link_reads_as_its_target_and_replaces_an_older_one() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("blobs")).unwrap();
        std::fs::create_dir_all(dir.path().join("snapshots")).unwrap();
        let (first, second) = (dir.path().join("blobs/a"), dir.path().join("blobs/b"));
        std::fs::write(&first, "first").unwrap();
        std::fs::write(&second, "second").unwrap();
        let link = dir.path().join("snapshots/model.gguf");
        link_file(Path::new("../blobs/a"), &first, &link).unwrap();
        assert_eq!(std::fs::read_to_string(&link).unwrap(), "first");
        link_file(Path::new("../blobs/b"), &second, &link).unwrap();
        assert_eq!(std::fs::read_to_string(&link).unwrap(), "second");
        let names: Vec<_> = std::fs::read_dir(dir.path().join("snapshots"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "no temporary left: {names:?}");
    }

    #[test]
    fn the_processor_names_itself() {
        if cfg!(target_arch = "x86_64") {
            let brand = cpu_brand().unwrap();
            assert!(!brand.is_empty() && !brand.contains('\0'), "{brand:?}");
        }
    }

    #[cfg(windows)]
    #[test]
    fn every_core_reports_busy_and_total_time() {
        let cores = cpu_core_times().unwrap();
        assert!(!cores.is_empty());
        assert!(
            cores
                .iter()
                .all(|&(busy, total)| busy <= total && total > 0),
            "{cores:?}"
        );
    }

    #[test]
    fn a_full_disk_is_recognised() {
        #[cfg(unix)]
        let full = std::io::Error::from_raw_os_error(nix::libc::ENOSPC);
        #[cfg(windows)]
        let full = std::io::Error::from_raw_os_error(112);
        assert!(is_disk_full(&full));
        assert!(!is_disk_full(&std::io::Error::from(
            std::io::ErrorKind::NotFound
        )));
    }

    #[cfg(unix)]
    #[test]
    fn exits_are_described_with_their_signal() {
        use std::os::unix::process::ExitStatusExt;
        let killed = std::process::ExitStatus::from_raw(9);
        assert_eq!(describe_exit(killed), "killed by signal 9 (SIGKILL)");
        assert_eq!(exit_signal(killed), Some(9));
        let exited = std::process::ExitStatus::from_raw(3 << 8);
        assert_eq!(describe_exit(exited), "exited with code 3");
    }

    #[cfg(windows)]
    #[test]
    fn exits_are_described_with_their_status() {
        use std::os::windows::process::ExitStatusExt;
        let status = std::process::ExitStatus::from_raw;
        assert_eq!(
            describe_exit(status(0xC000_001D)),
            "crashed with status 0xC000001D (illegal instruction: a build for a newer CPU)"
        );
        assert_eq!(describe_exit(status(3)), "exited with code 3");
        assert_eq!(
            describe_exit(status(windows::ENDED_BY_APP)),
            "was ended by the app"
        );
        assert_eq!(exit_signal(status(3)), None);
    }
}
