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
