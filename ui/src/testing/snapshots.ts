import type { GpuStats } from '../generated/GpuStats'
import type { SystemSnapshot } from '../generated/SystemSnapshot'

/** A minimal system sample at `at` (ms) with the CPU at `cpu` %, for tests of live series. */
export function cpuSnapshot(at: number, cpu: number): SystemSnapshot {
  return {
    at, hostname: 'box',
    cpu: { brand: 'x', logical_cores: 4, usage_percent: cpu, per_core_percent: [], load_average: [0, 0, 0] },
    memory: { total_bytes: 4, used_bytes: 1, available_bytes: 3, swap_total_bytes: 0, swap_used_bytes: 0 },
    disks: [], network: { rx_bytes_per_second: 0, tx_bytes_per_second: 0 },
    gpu: { kind: 'not_detected', reason: 'none' }, instances: [], series: { 'cpu.usage_percent': cpu },
  }
}

/** GPU `index` as the sampler reports it: named, its readings unknown unless `patch` sets them. */
export function gpuStats(index: number, patch: Partial<GpuStats> = {}): GpuStats {
  return {
    index, name: 'NVIDIA H200', uuid: `GPU-${index}`, pci_bus_id: null, memory_total_bytes: null, memory_used_bytes: null, memory_free_bytes: null,
    utilization_percent: null, memory_utilization_percent: null, temperature_celsius: null, power_watts: null, power_limit_watts: null,
    fan_speed_percent: null, sm_clock_mhz: null, memory_clock_mhz: null, max_sm_clock_mhz: null, max_memory_clock_mhz: null,
    pcie_rx_bytes_per_second: null, pcie_tx_bytes_per_second: null, throttle_reasons: null, processes: null, lost: false, mig_enabled: null,
    energy_joules_total: null, power_throttle_seconds_total: null, thermal_throttle_seconds_total: null,
    pcie_replays_total: null, xid_errors_total: null, last_xid: null, ...patch,
  }
}

/** A system sample listing `gpus`. */
export function gpuSnapshot(gpus: GpuStats[], at = 1): SystemSnapshot {
  return { ...cpuSnapshot(at, 0), gpu: { kind: 'available', driver_version: '570.1', cuda_version: '12.8', gpus } }
}
