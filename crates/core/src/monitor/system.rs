//! CPU, memory and network through `sysinfo`, refreshed in place (CPU use and network rates are
//! differences from the previous sample).

use std::time::Instant;

use sysinfo::{CpuRefreshKind, MemoryRefreshKind, Networks, RefreshKind, System};

use super::snapshot::{CpuStats, MemoryStats, NetworkStats};

pub(super) struct SystemProbe {
    system: System,
    networks: Networks,
    networks_at: Instant,
}

impl SystemProbe {
    pub fn new() -> Self {
        let kind = RefreshKind::nothing()
            .with_cpu(CpuRefreshKind::nothing().with_cpu_usage())
            .with_memory(MemoryRefreshKind::everything());
        SystemProbe {
            system: System::new_with_specifics(kind),
            networks: Networks::new_with_refreshed_list(),
            networks_at: Instant::now(),
        }
    }

    pub fn cpu_and_memory(&mut self) -> (CpuStats, MemoryStats) {
        self.system.refresh_cpu_usage();
        self.system.refresh_memory();
        let cpus = self.system.cpus();
        let load = System::load_average();
        let cpu = CpuStats {
            brand: cpus
                .first()
                .map(|c| c.brand().trim().to_string())
                .unwrap_or_default(),
            logical_cores: cpus.len() as u32,
            usage_percent: self.system.global_cpu_usage(),
            per_core_percent: cpus.iter().map(|c| c.cpu_usage()).collect(),
            load_average: [load.one, load.five, load.fifteen],
        };
        let memory = MemoryStats {
            total_bytes: self.system.total_memory(),
            used_bytes: self.system.used_memory(),
            available_bytes: self.system.available_memory(),
            swap_total_bytes: self.system.total_swap(),
            swap_used_bytes: self.system.used_swap(),
        };
        (cpu, memory)
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
