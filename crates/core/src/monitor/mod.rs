//! System monitoring: CPU and memory through `sysinfo`, NVIDIA GPUs through NVML.
//!
//! One background sampler owns the `sysinfo` state and the NVML handle, keeps the latest
//! [`SystemSnapshot`], and publishes each one as a `system_metrics_update` event.

mod gpu;
mod sampler;
mod snapshot;
mod system;

pub use gpu::{GpuBackend, NvidiaBackend};
pub use sampler::SystemMonitor;
pub use snapshot::{CpuStats, GpuStats, GpuStatus, MemoryStats, SystemSnapshot};
