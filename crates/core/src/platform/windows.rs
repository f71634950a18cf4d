//! Windows through Win32 (`windows-sys`): each engine runs in its own Job Object, which ends the
//! engine and everything it started when the app stops it or exits in any way (the job is
//! kill-on-close, and the OS closes the app's handles when the app dies). Process facts come from
//! a Toolhelp snapshot and the process's own handle.

use std::ffi::c_void;
use std::os::windows::ffi::{OsStrExt, OsStringExt};
use std::os::windows::io::{AsRawHandle, FromRawHandle, OwnedHandle};
use std::path::{Path, PathBuf};

use windows_sys::Wdk::System::SystemInformation::{
    NtQuerySystemInformation, SystemProcessorPerformanceInformation,
};
use windows_sys::Win32::Foundation::{FILETIME, HANDLE, INVALID_HANDLE_VALUE, WAIT_TIMEOUT};
use windows_sys::Win32::Storage::FileSystem::{GetDiskFreeSpaceExW, GetVolumePathNameW};
use windows_sys::Win32::System::Diagnostics::ToolHelp::{
    CreateToolhelp32Snapshot, Process32FirstW, Process32NextW, Thread32First, Thread32Next,
    PROCESSENTRY32W, TH32CS_SNAPPROCESS, TH32CS_SNAPTHREAD, THREADENTRY32,
};
use windows_sys::Win32::System::JobObjects::{
    AssignProcessToJobObject, CreateJobObjectW, JobObjectExtendedLimitInformation,
    SetInformationJobObject, TerminateJobObject, JOBOBJECT_EXTENDED_LIMIT_INFORMATION,
    JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE,
};
use windows_sys::Win32::System::ProcessStatus::{K32GetProcessMemoryInfo, PROCESS_MEMORY_COUNTERS};
use windows_sys::Win32::System::Threading::{
    GetProcessTimes, OpenProcess, OpenThread, ResumeThread, TerminateProcess, WaitForSingleObject,
    CREATE_NEW_PROCESS_GROUP, CREATE_NO_WINDOW, CREATE_SUSPENDED,
    PROCESS_QUERY_LIMITED_INFORMATION, PROCESS_SYNCHRONIZE, PROCESS_TERMINATE,
    THREAD_SUSPEND_RESUME,
};
use windows_sys::Win32::System::WindowsProgramming::SYSTEM_PROCESSOR_PERFORMANCE_INFORMATION;

use super::DiskSpace;

/// The exit code of a process the app ended (`TerminateJobObject`): "LLMO" in ASCII, so that
/// [`describe_exit`] can tell it from the engine's own codes.
pub const ENDED_BY_APP: u32 = 0x4C4C_4D4F;

/// An engine and whatever it starts: a kill-on-close Job Object that holds them all.
#[derive(Debug)]
pub struct ProcessGroup {
    job: OwnedHandle,
    pid: u32,
}

impl ProcessGroup {
    /// Before spawning: suspended (so that it cannot start a helper before it is in its job), in
    /// a process group of its own (Ctrl+C in the app's terminal reaches the app, which then
    /// stops its engines), and without a console window of its own.
    pub fn configure(command: &mut tokio::process::Command) {
        command.creation_flags(CREATE_SUSPENDED | CREATE_NEW_PROCESS_GROUP | CREATE_NO_WINDOW);
    }

    /// After spawning: puts the suspended child into a new kill-on-close job, then lets it run.
    /// On an error the child is still suspended; the caller kills it.
    pub fn adopt(child: &tokio::process::Child) -> std::io::Result<ProcessGroup> {
        let (Some(pid), Some(process)) = (child.id(), child.raw_handle()) else {
            return Err(std::io::Error::other("the engine exited as it was started"));
        };
        let job = kill_on_close_job()?;
        // SAFETY: both handles are valid for the call: the job is owned here, the process
        // handle by `child`, which outlives the call.
        if unsafe { AssignProcessToJobObject(job.as_raw_handle(), process as HANDLE) } == 0 {
            return Err(std::io::Error::last_os_error());
        }
        resume_threads(pid)?;
        Ok(ProcessGroup { job, pid })
    }

    /// Windows has no signal that every console program understands and that reaches one
    /// without a shared console, so there is nothing to request: false, and the caller ends the
    /// job at once (engines keep no state that a hard stop loses).
    pub fn request_stop(&self) -> bool {
        false
    }

    /// Ends every process in the job.
    pub fn kill(&self) {
        // SAFETY: the job handle is owned by `self` and valid.
        unsafe { TerminateJobObject(self.job.as_raw_handle(), ENDED_BY_APP) };
    }

    pub fn id(&self) -> u32 {
        self.pid
    }
}

fn kill_on_close_job() -> std::io::Result<OwnedHandle> {
    // SAFETY: null attributes and name are allowed; the returned handle is checked, then owned.
    let raw = unsafe { CreateJobObjectW(std::ptr::null(), std::ptr::null()) };
    if raw.is_null() {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: `raw` is a fresh, valid handle that nothing else owns.
    let job = unsafe { OwnedHandle::from_raw_handle(raw) };
    // SAFETY: a zeroed limit structure is valid (no limits); one flag is then set.
    let mut limits: JOBOBJECT_EXTENDED_LIMIT_INFORMATION = unsafe { std::mem::zeroed() };
    limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
    // SAFETY: the pointer and size describe `limits`, which lives across the call.
    let set = unsafe {
        SetInformationJobObject(
            job.as_raw_handle(),
            JobObjectExtendedLimitInformation,
            &limits as *const _ as *const c_void,
            std::mem::size_of::<JOBOBJECT_EXTENDED_LIMIT_INFORMATION>() as u32,
        )
    };
    if set == 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(job)
}

/// Resumes every thread of a process created suspended (there is one, its first).
fn resume_threads(pid: u32) -> std::io::Result<()> {
    let snapshot = snapshot(TH32CS_SNAPTHREAD)?;
    // SAFETY: a zeroed entry with its size set is what Thread32First expects.
    let mut entry: THREADENTRY32 = unsafe { std::mem::zeroed() };
    entry.dwSize = std::mem::size_of::<THREADENTRY32>() as u32;
    let mut resumed = 0;
    // SAFETY: the snapshot handle is valid and `entry` is a properly sized out-parameter.
    let mut more = unsafe { Thread32First(snapshot.as_raw_handle(), &mut entry) } != 0;
    while more {
        if entry.th32OwnerProcessID == pid {
            // SAFETY: OpenThread returns null or a handle we then own.
            let thread = unsafe { OpenThread(THREAD_SUSPEND_RESUME, 0, entry.th32ThreadID) };
            if !thread.is_null() {
                // SAFETY: `thread` is valid and owned from here.
                let thread = unsafe { OwnedHandle::from_raw_handle(thread) };
                // SAFETY: a valid thread handle with THREAD_SUSPEND_RESUME.
                if unsafe { ResumeThread(thread.as_raw_handle()) } != u32::MAX {
                    resumed += 1;
                }
            }
        }
        // SAFETY: as for Thread32First.
        more = unsafe { Thread32Next(snapshot.as_raw_handle(), &mut entry) } != 0;
    }
    if resumed == 0 {
        return Err(std::io::Error::other(
            "could not resume the engine's first thread",
        ));
    }
    Ok(())
}

fn snapshot(kind: u32) -> std::io::Result<OwnedHandle> {
    // SAFETY: plain call; the result is checked before it is owned.
    let raw = unsafe { CreateToolhelp32Snapshot(kind, 0) };
    if raw == INVALID_HANDLE_VALUE || raw.is_null() {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: a valid snapshot handle that nothing else owns.
    Ok(unsafe { OwnedHandle::from_raw_handle(raw) })
}

/// (pid, parent pid, image name) of every process.
fn processes() -> Vec<(u32, u32, String)> {
    let Ok(snapshot) = snapshot(TH32CS_SNAPPROCESS) else {
        return Vec::new();
    };
    // SAFETY: a zeroed entry with its size set is what Process32FirstW expects.
    let mut entry: PROCESSENTRY32W = unsafe { std::mem::zeroed() };
    entry.dwSize = std::mem::size_of::<PROCESSENTRY32W>() as u32;
    let mut list = Vec::new();
    // SAFETY: the snapshot handle is valid and `entry` is a properly sized out-parameter.
    let mut more = unsafe { Process32FirstW(snapshot.as_raw_handle(), &mut entry) } != 0;
    while more {
        let name_len = entry
            .szExeFile
            .iter()
            .position(|&c| c == 0)
            .unwrap_or(entry.szExeFile.len());
        let name = std::ffi::OsString::from_wide(&entry.szExeFile[..name_len]);
        list.push((
            entry.th32ProcessID,
            entry.th32ParentProcessID,
            name.to_string_lossy().into_owned(),
        ));
        // SAFETY: as for Process32FirstW.
        more = unsafe { Process32NextW(snapshot.as_raw_handle(), &mut entry) } != 0;
    }
    list
}

fn open_process(pid: u32, access: u32) -> Option<OwnedHandle> {
    // SAFETY: OpenProcess returns null or a handle we then own.
    let raw = unsafe { OpenProcess(access, 0, pid) };
    // SAFETY: a valid handle that nothing else owns.
    (!raw.is_null()).then(|| unsafe { OwnedHandle::from_raw_handle(raw) })
}

/// (creation, kernel + user) of a living process, in 100 ns units. A process that exited stays
/// open to queries while anyone holds a handle to it (its parent does): it has an exit time.
fn process_times(pid: u32) -> Option<(u64, u64)> {
    let process = open_process(pid, PROCESS_QUERY_LIMITED_INFORMATION)?;
    let zero = FILETIME {
        dwLowDateTime: 0,
        dwHighDateTime: 0,
    };
    let (mut created, mut exited, mut kernel, mut user) = (zero, zero, zero, zero);
    // SAFETY: a valid process handle and four FILETIME out-parameters.
    let ok = unsafe {
        GetProcessTimes(
            process.as_raw_handle(),
            &mut created,
            &mut exited,
            &mut kernel,
            &mut user,
        )
    };
    let value = |t: FILETIME| (u64::from(t.dwHighDateTime) << 32) | u64::from(t.dwLowDateTime);
    (ok != 0 && value(exited) == 0).then(|| (value(created), value(kernel) + value(user)))
}

fn wide(path: &Path) -> Vec<u16> {
    path.as_os_str()
        .encode_wide()
        .chain(std::iter::once(0))
        .collect()
}

/// Per logical core (of the app's processor group, up to 64): (busy, total) in 100 ns units.
/// Kernel time includes idle time.
pub fn cpu_core_times() -> Option<Vec<(u64, u64)>> {
    const MAX_CORES: usize = 256;
    let entry = std::mem::size_of::<SYSTEM_PROCESSOR_PERFORMANCE_INFORMATION>();
    let mut cores = vec![SYSTEM_PROCESSOR_PERFORMANCE_INFORMATION::default(); MAX_CORES];
    let mut written = 0u32;
    // SAFETY: the buffer and its byte length describe `cores`; `written` receives the length used.
    let status = unsafe {
        NtQuerySystemInformation(
            SystemProcessorPerformanceInformation,
            cores.as_mut_ptr() as *mut c_void,
            (entry * MAX_CORES) as u32,
            &mut written,
        )
    };
    if status < 0 {
        return None;
    }
    let count = (written as usize / entry).min(MAX_CORES);
    let times = cores[..count]
        .iter()
        .map(|core| {
            let total = (core.KernelTime.max(0) + core.UserTime.max(0)) as u64;
            (total.saturating_sub(core.IdleTime.max(0) as u64), total)
        })
        .collect();
    Some(times)
}

pub fn disk_space(folder: &Path) -> Option<DiskSpace> {
    let (mut available, mut total, mut free) = (0u64, 0u64, 0u64);
    let path = wide(folder);
    // SAFETY: a NUL-terminated path and three u64 out-parameters.
    let ok = unsafe { GetDiskFreeSpaceExW(path.as_ptr(), &mut available, &mut total, &mut free) };
    (ok != 0).then_some(DiskSpace {
        total_bytes: total,
        available_bytes: available,
    })
}

pub fn mount_point(folder: &Path) -> Option<PathBuf> {
    let path = wide(folder);
    let mut buffer = vec![0u16; 1024];
    // SAFETY: a NUL-terminated path and a buffer of the length given.
    let ok = unsafe { GetVolumePathNameW(path.as_ptr(), buffer.as_mut_ptr(), buffer.len() as u32) };
    if ok == 0 {
        return None;
    }
    let len = buffer.iter().position(|&c| c == 0).unwrap_or(buffer.len());
    Some(PathBuf::from(std::ffi::OsString::from_wide(&buffer[..len])))
}

pub fn is_executable(path: &Path) -> bool {
    let runnable = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["exe", "com", "bat", "cmd"].contains(&e.to_ascii_lowercase().as_str()));
    runnable && path.is_file()
}

pub fn make_executable(_path: &Path) -> std::io::Result<()> {
    Ok(())
}

pub fn is_disk_full(error: &std::io::Error) -> bool {
    const ERROR_HANDLE_DISK_FULL: i32 = 39;
    const ERROR_DISK_FULL: i32 = 112;
    matches!(
        error.raw_os_error(),
        Some(ERROR_HANDLE_DISK_FULL | ERROR_DISK_FULL)
    )
}

pub fn link_file(relative_target: &Path, target: &Path, link: &Path) -> std::io::Result<()> {
    let temporary = super::temporary_beside(link);
    let _ = std::fs::remove_file(&temporary);
    // Windows resolves a relative link only with its own separators.
    let relative_target: PathBuf = relative_target.components().collect();
    // A link must also resolve: Wine 8 reports success and leaves nothing behind.
    let linked = std::os::windows::fs::symlink_file(&relative_target, &temporary)
        .and_then(|_| std::fs::metadata(&temporary).map(|_| ()));
    if linked.is_err() {
        let _ = std::fs::remove_file(&temporary);
        std::fs::hard_link(target, &temporary)
            .or_else(|_| std::fs::copy(target, &temporary).map(|_| ()))?;
    }
    std::fs::rename(&temporary, link)
}

pub fn process_exists(pid: u32) -> bool {
    let Some(process) = open_process(pid, PROCESS_SYNCHRONIZE) else {
        return false;
    };
    // SAFETY: a valid handle with SYNCHRONIZE access; a zero timeout only polls.
    unsafe { WaitForSingleObject(process.as_raw_handle(), 0) == WAIT_TIMEOUT }
}

pub fn process_start_time(pid: u32) -> Option<u64> {
    process_times(pid).map(|(created, _)| created)
}

/// Children by parent pid from one snapshot. Windows does not reparent orphans, so a recorded
/// parent pid may since have been reused: a child counts only if it started after its parent.
pub fn process_tree(root: u32) -> Vec<u32> {
    let Some(root_started) = process_start_time(root) else {
        return Vec::new();
    };
    let all = processes();
    let mut tree = vec![(root, root_started)];
    let mut next = 0;
    while next < tree.len() {
        let (parent, parent_started) = tree[next];
        next += 1;
        for &(pid, _, _) in all
            .iter()
            .filter(|(pid, ppid, _)| *ppid == parent && *pid != parent)
        {
            if tree.iter().any(|(known, _)| *known == pid) {
                continue;
            }
            if let Some(started) = process_start_time(pid).filter(|s| *s >= parent_started) {
                tree.push((pid, started));
            }
        }
    }
    tree.into_iter().map(|(pid, _)| pid).collect()
}

pub fn cpu_seconds(pid: u32) -> Option<f64> {
    process_times(pid).map(|(_, busy)| busy as f64 / 1e7)
}

pub fn rss_bytes(pid: u32) -> Option<u64> {
    let process = open_process(pid, PROCESS_QUERY_LIMITED_INFORMATION)?;
    // SAFETY: a zeroed counters structure with its size given is what the call expects.
    let mut counters: PROCESS_MEMORY_COUNTERS = unsafe { std::mem::zeroed() };
    let size = std::mem::size_of::<PROCESS_MEMORY_COUNTERS>() as u32;
    counters.cb = size;
    // SAFETY: a valid process handle and a properly sized out-parameter.
    let ok = unsafe { K32GetProcessMemoryInfo(process.as_raw_handle(), &mut counters, size) };
    (ok != 0).then_some(counters.WorkingSetSize as u64)
}

pub fn process_name(pid: u32) -> Option<String> {
    processes()
        .into_iter()
        .find(|(p, _, _)| *p == pid)
        .map(|(_, _, name)| name)
}

pub fn kill_left_behind(pid: u32) {
    for pid in process_tree(pid) {
        if let Some(process) = open_process(pid, PROCESS_TERMINATE) {
            // SAFETY: a valid handle with PROCESS_TERMINATE access.
            unsafe { TerminateProcess(process.as_raw_handle(), ENDED_BY_APP) };
        }
    }
}

/// No process groups here: the pid and its start time (checked by the caller) decide.
pub fn looks_like_our_engine(_pid: u32) -> bool {
    true
}

/// NTSTATUS codes a crashed engine ends with, in words.
const CRASH_CODES: &[(u32, &str)] = &[
    (0xC000_0005, "access violation"),
    (0xC000_001D, "illegal instruction: a build for a newer CPU"),
    (0xC000_0017, "out of memory"),
    (0xC000_00FD, "stack overflow"),
    (0xC000_0409, "stack buffer overrun"),
    (0xC000_0135, "a DLL it needs was not found"),
    (0xC000_013A, "ended by Ctrl+C"),
];

pub fn describe_exit(status: std::process::ExitStatus) -> String {
    let Some(code) = status.code() else {
        return "exited".to_string();
    };
    let code = code as u32;
    if code == ENDED_BY_APP {
        return "was ended by the app".to_string();
    }
    match CRASH_CODES.iter().find(|(known, _)| *known == code) {
        Some((_, what)) => format!("crashed with status {code:#010X} ({what})"),
        None if code >= 0xC000_0000 => format!("crashed with status {code:#010X}"),
        None => format!("exited with code {code}"),
    }
}

pub fn exit_signal(_status: std::process::ExitStatus) -> Option<i32> {
    None
}
