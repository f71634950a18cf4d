//! GPUs behind one trait, so that other vendors can be added without touching the sampler:
//! NVIDIA through NVML, AMD through AMD SMI, the first vendor whose driver answers
//! ([`FirstVendor`]). Missing: Apple silicon (IOKit / `powermetrics`).

mod amd;
mod nvidia;
mod throttle;

pub use amd::AmdBackend;
pub use nvidia::{CostClass, NvidiaBackend, SamplingPlan, NVML_READINGS};

use super::snapshot::GpuStatus;

pub trait GpuBackend: Send {
    /// Reads every GPU now. Never fails: what cannot be read is `None`, no driver is
    /// [`GpuStatus::NotDetected`].
    fn sample(&mut self) -> GpuStatus;
}

/// NVIDIA's GPUs when its driver answers, else AMD's when AMD SMI is there. (A machine with both
/// shows the NVIDIA ones.)
pub struct FirstVendor {
    pub nvidia: NvidiaBackend,
    pub amd: AmdBackend,
}

impl GpuBackend for FirstVendor {
    fn sample(&mut self) -> GpuStatus {
        match self.nvidia.sample() {
            available @ GpuStatus::Available { .. } => available,
            none if self.amd.is_available() => match self.amd.sample() {
                available @ GpuStatus::Available { .. } => available,
                _ => none,
            },
            none => none,
        }
    }
}

/// Why there is no GPU reading: a code with its values, and the English text.
pub(super) struct NoGpu;

impl NoGpu {
    pub(super) fn new(
        code: &str,
        params: crate::error::ErrorParams,
        text: String,
    ) -> crate::error::ErrorBody {
        crate::error::ErrorBody::with_params(code, params, text)
    }
}
