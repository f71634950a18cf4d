// What the benchmarks read of a process from /proc (Linux): memory, CPU time, the tree below it,
// and the least-squares slope the soaks judge growth by. One copy for every benchmark.
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
const CLOCK_TICKS = 100;

/** The fields of /proc/<pid>/stat after the command name (which may hold spaces): field 3 is index 0. */
function statFields(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** RSS and PSS of a process in MiB (/proc/<pid>/smaps_rollup); null when it is gone. */
export function memoryOf(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const field = (name) => Number(text.match(new RegExp(`^${name}:\\s+(\\d+)`, 'm'))[1]) / 1024;
    return { rss: field('Rss'), pss: field('Pss') };
  } catch {
    return null;
  }
}

/** Resident memory of a process in MiB (VmRSS: cheaper than smaps_rollup), or null when it is gone. */
export function rssMiB(pid) {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
    return Number(line.split(/\s+/)[1]) / 1024;
  } catch {
    return null;
  }
}

/** User plus system CPU time of a process in seconds; 0 when it is gone. */
export function cpuSeconds(pid) {
  try {
    const fields = statFields(pid);
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** Every process: pid → { ppid, name, cmdline }. Processes that end meanwhile are left out. */
export function processTable() {
  const table = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      table.set(Number(entry), {
        ppid: Number(statFields(entry)[1]),
        name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
        cmdline: readFileSync(`/proc/${entry}/cmdline`, 'utf8'),
      });
    } catch {
      /* gone meanwhile */
    }
  }
  return table;
}

/** The process `root` and every process below it, as { pid, name, cmdline }. */
export function treeOf(root, table = processTable()) {
  const below = (pid) => {
    for (let p = pid; p; p = table.get(p)?.ppid) if (p === root) return true;
    return false;
  };
  return [...table].filter(([pid]) => below(pid)).map(([pid, p]) => ({ pid, name: p.name, cmdline: p.cmdline }));
}

/** Slope per minute of `ys` over `xs` (minutes), by least squares; 0 with fewer than two points. */
export function slope(xs, ys) {
  const n = xs.length;
  if (n < 2) return 0;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}
