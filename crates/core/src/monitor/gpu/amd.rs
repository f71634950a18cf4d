//! AMD GPUs through the AMD SMI library (`libamd_smi.so`, ROCm 6 and later), loaded at run time
//! as NVML is, so that llmops starts on machines without ROCm.
//!
//! - The structures below mirror `amdsmi.h` of AMD SMI 24.7 (`include/amd_smi/amdsmi.h` in
//!   ROCm/amdsmi): their sizes and offsets are checked by a unit test against the values of that
//!   header. Every structure ends in reserved words, which AMD keeps for additions.
//! - Each function is looked up on its own: one missing from an older library leaves its reading
//!   "n/a" and the rest work.
//! - Verified only against the tests' fake library (tests/fake_amd_smi/fake_amd_smi.c); see
//!   `docs/MONITORING.md`.

use std::ffi::{c_char, c_void, CStr};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use libloading::Library;

use super::{GpuBackend, NoGpu};
use crate::error::ErrorBody;
use crate::monitor::snapshot::{GpuProcess, GpuStats, GpuStatus};

type Handle = *mut c_void;
type Status = u32;

const SUCCESS: Status = 0;
const OUT_OF_RESOURCES: Status = 15;
const INIT_AMD_GPUS: u64 = 1 << 1;
const PROCESSOR_TYPE_AMD_GPU: u32 = 1;
const MEM_TYPE_VRAM: u32 = 0;
const TEMPERATURE_TYPE_EDGE: u32 = 0;
const TEMPERATURE_TYPE_HOTSPOT: u32 = 1;
const TEMP_CURRENT: u32 = 0;
const UUID_SIZE: usize = 38;
const MAX_PROCESSES: usize = 256;

/// `amdsmi_asic_info_t`.
#[repr(C)]
pub(crate) struct AsicInfo {
    pub market_name: [c_char; 256],
    pub vendor_id: u32,
    pub vendor_name: [c_char; 64],
    pub subvendor_id: u32,
    pub device_id: u64,
    pub rev_id: u32,
    pub asic_serial: [c_char; 32],
    pub oam_id: u32,
    pub num_of_compute_units: u32,
    pub target_graphics_version: u64,
    pub reserved: [u32; 15],
}

/// `amdsmi_engine_usage_t`: activity in percent.
#[repr(C)]
#[derive(Default)]
pub(crate) struct EngineUsage {
    pub gfx_activity: u32,
    pub umc_activity: u32,
    pub mm_activity: u32,
    pub reserved: [u32; 13],
}

/// `amdsmi_power_info_t`: watts and millivolts.
#[repr(C)]
#[derive(Default)]
pub(crate) struct PowerInfo {
    pub current_socket_power: u32,
    pub average_socket_power: u32,
    pub gfx_voltage: u32,
    pub soc_voltage: u32,
    pub mem_voltage: u32,
    pub power_limit: u32,
    pub reserved: [u32; 11],
}

/// `amdsmi_proc_info_t`.
#[repr(C)]
pub(crate) struct ProcInfo {
    pub name: [c_char; 32],
    pub pid: u32,
    pub mem: u64,
    pub engine_gfx_ns: u64,
    pub engine_enc_ns: u64,
    pub engine_reserved: [u32; 12],
    pub gtt_mem: u64,
    pub cpu_mem: u64,
    pub vram_mem: u64,
    pub memory_reserved: [u32; 10],
    pub container_name: [c_char; 32],
    pub reserved: [u32; 4],
}

/// The library's functions; each `None` when this library lacks it.
struct Api {
    // Kept alive as long as the function pointers below are used.
    _library: Library,
    init: unsafe extern "C" fn(u64) -> Status,
    shut_down: unsafe extern "C" fn() -> Status,
    socket_handles: unsafe extern "C" fn(*mut u32, *mut Handle) -> Status,
    processor_handles: unsafe extern "C" fn(Handle, *mut u32, *mut Handle) -> Status,
    processor_type: Option<unsafe extern "C" fn(Handle, *mut u32) -> Status>,
    asic_info: Option<unsafe extern "C" fn(Handle, *mut AsicInfo) -> Status>,
    uuid: Option<unsafe extern "C" fn(Handle, *mut u32, *mut c_char) -> Status>,
    bdf: Option<unsafe extern "C" fn(Handle, *mut u64) -> Status>,
    memory_total: Option<unsafe extern "C" fn(Handle, u32, *mut u64) -> Status>,
    memory_usage: Option<unsafe extern "C" fn(Handle, u32, *mut u64) -> Status>,
    activity: Option<unsafe extern "C" fn(Handle, *mut EngineUsage) -> Status>,
    temperature: Option<unsafe extern "C" fn(Handle, u32, u32, *mut i64) -> Status>,
    power: Option<unsafe extern "C" fn(Handle, *mut PowerInfo) -> Status>,
    energy: Option<unsafe extern "C" fn(Handle, *mut u64, *mut f32, *mut u64) -> Status>,
    processes: Option<unsafe extern "C" fn(Handle, *mut u32, *mut ProcInfo) -> Status>,
}

impl Api {
    fn load(path: &std::ffi::OsStr) -> Result<Api, String> {
        // SAFETY: loading a shared library runs its initialisers; libamd_smi's only set up its
        // own state. The path is the configured one or the library's standard name.
        let library = unsafe { Library::new(path) }.map_err(|e| e.to_string())?;
        // SAFETY: each symbol is read with the signature `amdsmi.h` declares for it.
        unsafe {
            macro_rules! optional {
                ($name:literal) => {
                    library.get($name).ok().map(|s| *s)
                };
            }
            macro_rules! required {
                ($name:literal) => {
                    *library.get($name).map_err(|e| e.to_string())?
                };
            }
            Ok(Api {
                init: required!(b"amdsmi_init\0"),
                shut_down: required!(b"amdsmi_shut_down\0"),
                socket_handles: required!(b"amdsmi_get_socket_handles\0"),
                processor_handles: required!(b"amdsmi_get_processor_handles\0"),
                processor_type: optional!(b"amdsmi_get_processor_type\0"),
                asic_info: optional!(b"amdsmi_get_gpu_asic_info\0"),
                uuid: optional!(b"amdsmi_get_gpu_device_uuid\0"),
                bdf: optional!(b"amdsmi_get_gpu_device_bdf\0"),
                memory_total: optional!(b"amdsmi_get_gpu_memory_total\0"),
                memory_usage: optional!(b"amdsmi_get_gpu_memory_usage\0"),
                activity: optional!(b"amdsmi_get_gpu_activity\0"),
                temperature: optional!(b"amdsmi_get_temp_metric\0"),
                power: optional!(b"amdsmi_get_power_info\0"),
                energy: optional!(b"amdsmi_get_energy_count\0"),
                processes: optional!(b"amdsmi_get_gpu_process_list\0"),
                _library: library,
            })
        }
    }

    /// Every GPU handle: sockets, then each socket's processors of type AMD GPU.
    fn gpu_handles(&self) -> Result<Vec<Handle>, Status> {
        let sockets = two_call(|count, out| {
            // SAFETY: `out` is null or holds `*count` handles.
            unsafe { (self.socket_handles)(count, out) }
        })?;
        let mut gpus = Vec::new();
        for socket in sockets {
            let processors = two_call(|count, out| {
                // SAFETY: as above, for the socket's processors.
                unsafe { (self.processor_handles)(socket, count, out) }
            })?;
            gpus.extend(processors.into_iter().filter(|h| self.is_gpu(*h)));
        }
        Ok(gpus)
    }

    fn is_gpu(&self, handle: Handle) -> bool {
        let Some(f) = self.processor_type else {
            return true;
        };
        let mut kind = 0u32;
        // SAFETY: a handle from the library and a place for one `processor_type_t`.
        unsafe { f(handle, &mut kind) == SUCCESS && kind == PROCESSOR_TYPE_AMD_GPU }
    }

    fn stats(&self, index: u32, h: Handle) -> GpuStats {
        let asic = self.asic_info.and_then(|f| {
            // SAFETY: an all-zero `AsicInfo` is valid (integers and C strings).
            let mut info: AsicInfo = unsafe { std::mem::zeroed() };
            // SAFETY: the library fills the structure it declares.
            (unsafe { f(h, &mut info) } == SUCCESS).then_some(info)
        });
        let total = self.read_u64(self.memory_total, h, MEM_TYPE_VRAM);
        let used = self.read_u64(self.memory_usage, h, MEM_TYPE_VRAM);
        let activity = self.activity.and_then(|f| {
            let mut usage = EngineUsage::default();
            // SAFETY: the library fills the structure it declares.
            (unsafe { f(h, &mut usage) } == SUCCESS).then_some(usage)
        });
        let power = self.power.and_then(|f| {
            let mut info = PowerInfo::default();
            // SAFETY: the library fills the structure it declares.
            (unsafe { f(h, &mut info) } == SUCCESS).then_some(info)
        });
        GpuStats {
            index,
            name: asic.as_ref().and_then(|a| c_string(&a.market_name)),
            uuid: self.uuid_of(h),
            pci_bus_id: self.bus_id(h),
            memory_total_bytes: total,
            memory_used_bytes: used,
            memory_free_bytes: total.zip(used).map(|(t, u)| t.saturating_sub(u)),
            utilization_percent: activity.as_ref().map(|a| a.gfx_activity.min(100)),
            memory_utilization_percent: activity.as_ref().map(|a| a.umc_activity.min(100)),
            temperature_celsius: self
                .temperature_of(h, TEMPERATURE_TYPE_HOTSPOT)
                .or_else(|| self.temperature_of(h, TEMPERATURE_TYPE_EDGE)),
            power_watts: power
                .as_ref()
                .map(|p| p.current_socket_power.max(p.average_socket_power) as f64),
            power_limit_watts: power
                .as_ref()
                .map(|p| p.power_limit as f64)
                .filter(|w| *w > 0.0),
            energy_joules_total: self.energy_of(h),
            processes: self.processes_of(h),
            ..Default::default()
        }
    }

    fn read_u64(
        &self,
        f: Option<unsafe extern "C" fn(Handle, u32, *mut u64) -> Status>,
        h: Handle,
        kind: u32,
    ) -> Option<u64> {
        let f = f?;
        let mut value = 0u64;
        // SAFETY: a handle from the library and a place for one `uint64_t`.
        (unsafe { f(h, kind, &mut value) } == SUCCESS).then_some(value)
    }

    fn uuid_of(&self, h: Handle) -> Option<String> {
        let f = self.uuid?;
        let mut buffer = [0 as c_char; UUID_SIZE + 1];
        let mut length = UUID_SIZE as u32;
        // SAFETY: `buffer` holds `length` characters and a terminating zero.
        (unsafe { f(h, &mut length, buffer.as_mut_ptr()) } == SUCCESS)
            .then(|| c_string(&buffer))
            .flatten()
    }

    fn bus_id(&self, h: Handle) -> Option<String> {
        let f = self.bdf?;
        let mut bdf = 0u64;
        // SAFETY: `amdsmi_bdf_t` is a union over one `uint64_t`.
        (unsafe { f(h, &mut bdf) } == SUCCESS).then(|| format_bdf(bdf))
    }

    fn temperature_of(&self, h: Handle, sensor: u32) -> Option<u32> {
        let f = self.temperature?;
        let mut celsius = 0i64;
        // SAFETY: a handle from the library and a place for one `int64_t`.
        (unsafe { f(h, sensor, TEMP_CURRENT, &mut celsius) } == SUCCESS)
            .then(|| u32::try_from(celsius).ok())
            .flatten()
    }

    fn energy_of(&self, h: Handle) -> Option<f64> {
        let f = self.energy?;
        let (mut accumulator, mut resolution, mut timestamp) = (0u64, 0f32, 0u64);
        // SAFETY: places for the three values the function writes.
        let status = unsafe { f(h, &mut accumulator, &mut resolution, &mut timestamp) };
        // The counter counts units of `resolution` microjoules.
        (status == SUCCESS && resolution > 0.0)
            .then(|| accumulator as f64 * resolution as f64 / 1e6)
    }

    fn processes_of(&self, h: Handle) -> Option<Vec<GpuProcess>> {
        let f = self.processes?;
        // SAFETY: an all-zero `ProcInfo` is valid (integers and C strings).
        let mut list: Vec<ProcInfo> = (0..MAX_PROCESSES)
            .map(|_| unsafe { std::mem::zeroed() })
            .collect();
        let mut count = MAX_PROCESSES as u32;
        // SAFETY: `list` holds `count` entries; the library writes at most that many.
        let status = unsafe { f(h, &mut count, list.as_mut_ptr()) };
        if status != SUCCESS && status != OUT_OF_RESOURCES {
            return None;
        }
        list.truncate((count as usize).min(MAX_PROCESSES));
        Some(
            list.iter()
                .map(|p| GpuProcess {
                    pid: p.pid,
                    name: c_string(&p.name),
                    used_memory_bytes: Some(p.vram_mem),
                    instance_id: None,
                    model_name: None,
                })
                .collect(),
        )
    }
}

/// The library's count-then-fill pattern: the count with a null array, then the array.
fn two_call(mut call: impl FnMut(*mut u32, *mut Handle) -> Status) -> Result<Vec<Handle>, Status> {
    let mut count = 0u32;
    let status = call(&mut count, std::ptr::null_mut());
    if status != SUCCESS {
        return Err(status);
    }
    let mut handles = vec![std::ptr::null_mut(); count as usize];
    let status = call(&mut count, handles.as_mut_ptr());
    if status != SUCCESS {
        return Err(status);
    }
    handles.truncate(count as usize);
    Ok(handles)
}

/// A NUL-terminated C string in a fixed buffer; `None` when empty or not terminated.
fn c_string(buffer: &[c_char]) -> Option<String> {
    // SAFETY: `c_char` and `u8` have the same size and alignment.
    let bytes = unsafe { std::slice::from_raw_parts(buffer.as_ptr().cast::<u8>(), buffer.len()) };
    let text = CStr::from_bytes_until_nul(bytes).ok()?.to_string_lossy();
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// `amdsmi_bdf_t` (function bits 0–2, device 3–7, bus 8–15, domain 16–63) as a PCI bus id.
fn format_bdf(bdf: u64) -> String {
    format!(
        "{:04x}:{:02x}:{:02x}.{:x}",
        bdf >> 16,
        (bdf >> 8) & 0xff,
        (bdf >> 3) & 0x1f,
        bdf & 0x7
    )
}

enum State {
    Loaded(Api),
    Unavailable {
        reason: ErrorBody,
        retry_at: Instant,
    },
}

pub struct AmdBackend {
    lib_path: Option<PathBuf>,
    retry_every: Duration,
    state: State,
}

impl AmdBackend {
    pub fn new(lib_path: Option<PathBuf>) -> Self {
        Self::with_retry(lib_path, Duration::from_secs(10))
    }

    pub fn with_retry(lib_path: Option<PathBuf>, retry_every: Duration) -> Self {
        let mut backend = AmdBackend {
            lib_path,
            retry_every,
            state: State::Unavailable {
                reason: ErrorBody::new("", ""),
                retry_at: Instant::now(),
            },
        };
        backend.try_init();
        backend
    }

    /// Whether the library loaded and initialised (GPUs may still be none).
    pub fn is_available(&self) -> bool {
        matches!(self.state, State::Loaded(_))
    }

    fn try_init(&mut self) {
        let loaded = match &self.lib_path {
            Some(path) => Api::load(path.as_os_str()),
            // On the loader's path, else where ROCm installs it.
            None => Api::load("libamd_smi.so".as_ref())
                .or_else(|_| Api::load("/opt/rocm/lib/libamd_smi.so".as_ref())),
        };
        self.state = match loaded {
            Err(detail) => self.unavailable(NoGpu::new(
                "gpu_amd_smi_unusable",
                vec![("detail", detail.clone())],
                format!("The AMD SMI library could not be used ({detail})"),
            )),
            Ok(api) => {
                // SAFETY: initialising the library for AMD GPUs, once per load.
                match unsafe { (api.init)(INIT_AMD_GPUS) } {
                    SUCCESS => State::Loaded(api),
                    status => self.unavailable(NoGpu::new(
                        "gpu_amd_smi_unusable",
                        vec![("detail", format!("amdsmi_init: status {status}"))],
                        format!(
                            "The AMD SMI library could not be used (amdsmi_init: status {status})"
                        ),
                    )),
                }
            }
        };
    }

    fn unavailable(&self, reason: ErrorBody) -> State {
        State::Unavailable {
            reason,
            retry_at: Instant::now() + self.retry_every,
        }
    }
}

impl GpuBackend for AmdBackend {
    fn sample(&mut self) -> GpuStatus {
        if let State::Unavailable { retry_at, .. } = &self.state {
            if Instant::now() >= *retry_at {
                self.try_init();
            }
        }
        let api = match &self.state {
            State::Loaded(api) => api,
            State::Unavailable { reason, .. } => {
                return GpuStatus::NotDetected {
                    reason: reason.message.clone(),
                    summary: Some(reason.clone()),
                }
            }
        };
        match api.gpu_handles() {
            Ok(handles) => GpuStatus::Available {
                driver_version: None,
                cuda_version: None,
                gpus: handles
                    .into_iter()
                    .enumerate()
                    .map(|(index, h)| api.stats(index as u32, h))
                    .collect(),
            },
            Err(status) => {
                let reason = NoGpu::new(
                    "gpu_amd_smi_stopped",
                    vec![("detail", format!("status {status}"))],
                    format!("The AMD SMI library stopped answering (status {status}); retrying"),
                );
                self.state = self.unavailable(reason.clone());
                GpuStatus::NotDetected {
                    reason: reason.message.clone(),
                    summary: Some(reason),
                }
            }
        }
    }
}

impl Drop for AmdBackend {
    fn drop(&mut self) {
        if let State::Loaded(api) = &self.state {
            // SAFETY: the library was initialised by this backend and is shut down once.
            unsafe { (api.shut_down)() };
        }
    }
}

// The handles are the library's own pointers, used only through its functions from the one
// sampler thread that owns this backend (behind the monitor's lock).
unsafe impl Send for AmdBackend {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{offset_of, size_of};

    /// Sizes and offsets as `amdsmi.h` (AMD SMI 24.7) lays them out on x86_64: the numbers
    /// gcc gives for that header's own structures.
    #[test]
    fn structures_match_amdsmi_h() {
        assert_eq!(offset_of!(AsicInfo, vendor_id), 256);
        assert_eq!(offset_of!(AsicInfo, device_id), 328);
        assert_eq!(offset_of!(AsicInfo, target_graphics_version), 384);
        assert_eq!(size_of::<AsicInfo>(), 456);
        assert_eq!(size_of::<EngineUsage>(), 64);
        assert_eq!(size_of::<PowerInfo>(), 68);
        assert_eq!(offset_of!(ProcInfo, mem), 40);
        assert_eq!(offset_of!(ProcInfo, gtt_mem), 112);
        assert_eq!(offset_of!(ProcInfo, vram_mem), 128);
        assert_eq!(offset_of!(ProcInfo, container_name), 176);
        assert_eq!(size_of::<ProcInfo>(), 224);
    }

    #[test]
    fn bus_ids_and_strings_are_read_as_amd_smi_writes_them() {
        assert_eq!(format_bdf(0x0300), "0000:03:00.0");
        assert_eq!(
            format_bdf((0x1 << 16) | (0xc1 << 8) | (2 << 3) | 1),
            "0001:c1:02.1"
        );
        let mut name = [0 as c_char; 8];
        for (slot, byte) in name.iter_mut().zip(b"MI300X\0") {
            *slot = *byte as c_char;
        }
        assert_eq!(c_string(&name).as_deref(), Some("MI300X"));
        assert_eq!(c_string(&[0 as c_char; 4]), None);
    }

    #[test]
    fn a_missing_library_is_a_clear_not_detected_state() {
        let mut backend = AmdBackend::new(Some("/nonexistent/libamd_smi.so".into()));
        match backend.sample() {
            GpuStatus::NotDetected { summary, .. } => {
                assert_eq!(summary.unwrap().code, "gpu_amd_smi_unusable")
            }
            other => panic!("expected NotDetected, got {other:?}"),
        }
    }
}
