//! CPU, memory and network through `sysinfo`, refreshed in place (CPU use and network rates are
//! differences from the previous sample). On Windows the CPU is read through `platform`
//! instead: sysinfo reads it there with PDH counters, which Wine lacks.

use std::time::Instant;

#[cfg(not(windows))]
use sysinfo::CpuRefreshKind;
use sysinfo::{MemoryRefreshKind, Networks, RefreshKind, System};

use super::snapshot::{CpuStats, MemoryStats, NetworkStats};

pub(super) struct SystemProbe {
    system: System,
    networks: Networks,
    networks_at: Instant,
    /// Each core's (busy, total) time at the previous sample.
    #[cfg(windows)]
    cores_before: Vec<(u64, u64)>,
}

impl SystemProbe {
    pub fn new() -> Self {
        let kind = RefreshKind::nothing().with_memory(MemoryRefreshKind::everything());
        #[cfg(not(windows))]
        let kind = kind.with_cpu(CpuRefreshKind::nothing().with_cpu_usage());
        SystemProbe {
            system: System::new_with_specifics(kind),
            networks: Networks::new_with_refreshed_list(),
            networks_at: Instant::now(),
            #[cfg(windows)]
            cores_before: crate::platform::cpu_core_times().unwrap_or_default(),
        }
    }

    pub fn cpu_and_memory(&mut self) -> (CpuStats, MemoryStats) {
        self.system.refresh_memory();
        let cpu = self.cpu();
        let memory = MemoryStats {
            total_bytes: self.system.total_memory(),
            used_bytes: self.system.used_memory(),
            available_bytes: self.system.available_memory(),
            swap_total_bytes: self.system.total_swap(),
            swap_used_bytes: self.system.used_swap(),
        };
        (cpu, memory)
    }

    #[cfg(not(windows))]
    fn cpu(&mut self) -> CpuStats {
        self.system.refresh_cpu_usage();
        let cpus = self.system.cpus();
        CpuStats {
            brand: cpus
                .first()
                .map(|c| c.brand().trim().to_string())
                .unwrap_or_default(),
            logical_cores: cpus.len() as u32,
            usage_percent: self.system.global_cpu_usage(),
            per_core_percent: cpus.iter().map(|c| c.cpu_usage()).collect(),
            load_average: load_average(),
        }
    }

    /// Use since the previous sample, from each core's busy and total time.
    #[cfg(windows)]
    fn cpu(&mut self) -> CpuStats {
        let now = crate::platform::cpu_core_times().unwrap_or_default();
        let percent = |busy: u64, total: u64| {
            if total == 0 {
                0.0
            } else {
                (busy as f64 / total as f64 * 100.0).clamp(0.0, 100.0) as f32
            }
        };
        let deltas: Vec<(u64, u64)> = now
            .iter()
            .enumerate()
            .map(|(core, &(busy, total))| {
                let (busy_before, total_before) =
                    self.cores_before.get(core).copied().unwrap_or((0, 0));
                (
                    busy.saturating_sub(busy_before),
                    total.saturating_sub(total_before),
                )
            })
            .collect();
        let (busy, total) = deltas
            .iter()
            .fold((0, 0), |(b, t), &(busy, total)| (b + busy, t + total));
        self.cores_before = now;
        CpuStats {
            brand: crate::platform::cpu_brand().unwrap_or_default(),
            logical_cores: deltas.len() as u32,
            usage_percent: percent(busy, total),
            per_core_percent: deltas.iter().map(|&(b, t)| percent(b, t)).collect(),
            load_average: load_average(),
        }
    }

    pub fn network(&mut self) -> NetworkStats {
        // `true` also picks up interfaces that appeared since the last sample.
        self.networks.refresh(true);
        let now = Instant::now();
        let seconds = now.duration_since(self.networks_at).as_secs_f64().max(1e-3);
        self.networks_at = now;
        let (rx, tx) = self
            .networks
            .iter()
            .filter(|(name, _)| name.as_str() != "lo")
            .fold((0u64, 0u64), |(rx, tx), (_, data)| {
                (rx + data.received(), tx + data.transmitted())
            });
        NetworkStats {
            rx_bytes_per_second: rx as f64 / seconds,
            tx_bytes_per_second: tx as f64 / seconds,
        }
    }
}

/// The kernel's load averages. Windows has none: sysinfo would emulate them with a PDH query
/// thread (which Wine does not implement), so the dashboard shows "n/a" there instead.
#[cfg(not(windows))]
fn load_average() -> Option<[f64; 3]> {
    let load = System::load_average();
    Some([load.one, load.five, load.fifteen])
}

#[cfg(windows)]
fn load_average() -> Option<[f64; 3]> {
    None
}
