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
