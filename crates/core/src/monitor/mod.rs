//! System monitoring: CPU, memory and network through `sysinfo`, model folders' disks, each
//! instance's process tree from `/proc`, and GPUs through a [`GpuBackend`] (NVIDIA/NVML today).
//!
//! One sampler ([`SystemMonitor::sample`], driven by the core's background loop) owns the probes
//! and keeps the latest [`SystemSnapshot`]; GPU compute processes are attributed to instances.

mod attribution;
mod disks;
mod gpu;
mod processes;
mod sampler;
mod series;
mod snapshot;
mod system;

pub use gpu::{
    AmdBackend, CostClass, FirstVendor, GpuBackend, NvidiaBackend, SamplingPlan, NVML_READINGS,
};
pub use processes::process_tree;
pub use sampler::{SampleContext, SystemMonitor};
pub use series::extract as snapshot_series;
pub use snapshot::{
    CpuStats, DiskUsage, GpuProcess, GpuStats, GpuStatus, InstanceResources, MemoryStats,
    NetworkStats, SystemSnapshot,
};
