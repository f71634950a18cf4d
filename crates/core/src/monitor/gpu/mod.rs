//! GPUs behind one trait, so that other vendors can be added beside NVIDIA without touching the
//! sampler. Missing today: AMD (would read AMD SMI) and Apple silicon (IOKit / `powermetrics`);
//! both would implement [`GpuBackend`] and be chosen at startup.

mod nvidia;
mod throttle;

pub use nvidia::{CostClass, NvidiaBackend, SamplingPlan, NVML_READINGS};

use super::snapshot::GpuStatus;

pub trait GpuBackend: Send {
    /// Reads every GPU now. Never fails: what cannot be read is `None`, no driver is
    /// [`GpuStatus::NotDetected`].
    fn sample(&mut self) -> GpuStatus;
}
