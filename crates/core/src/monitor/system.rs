//! CPU and memory through `sysinfo`, refreshed in place (it needs the previous sample for CPU use).

use sysinfo::{CpuRefreshKind, MemoryRefreshKind, RefreshKind, System};

use super::snapshot::{CpuStats, MemoryStats};

pub(super) struct SystemProbe {
    system: System,
}

impl SystemProbe {
    pub fn new() -> Self {
        let kind = RefreshKind::nothing()
            .with_cpu(CpuRefreshKind::nothing().with_cpu_usage())
            .with_memory(MemoryRefreshKind::everything());
        SystemProbe {
            system: System::new_with_specifics(kind),
        }
    }

    pub fn sample(&mut self) -> (CpuStats, MemoryStats) {
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
}
