import fs from 'node:fs';

/** CPU and memory of any process (Node or not: nats-server, mosquitto) from /proc, Linux only. */

const CLK_TCK = 100; // sysconf(_SC_CLK_TCK) on Linux x86-64 and arm64

/** User + system CPU seconds used so far by `pid` (all its threads), or undefined when it is gone. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return (utime + stime) / CLK_TCK;
  } catch {
    return undefined;
  }
}

/** Resident set size in bytes, or undefined when the process is gone. */
export function rssBytes(pid: number): number | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Bytes a process has written to storage so far (/proc/<pid>/io), or 0 when unreadable. */
export function writeBytes(pid: number): number {
  try {
    return Number(/write_bytes: (\d+)/.exec(fs.readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** CPU used by a set of processes between start() and the returned function's call, in cores (1 = one full core). */
export function cpuMeter(pids: readonly number[]) {
  const t0 = performance.now();
  const c0 = pids.map((p) => cpuSeconds(p) ?? 0);
  return () => {
    const seconds = (performance.now() - t0) / 1000;
    const used = pids.reduce((sum, p, i) => sum + (cpuSeconds(p) ?? 0) - (c0[i] ?? 0), 0);
    return { cores: seconds > 0 ? used / seconds : 0, cpuSeconds: used };
  };
}

/** Busy cores of the whole machine (every process, ours or not) from /proc/stat, between start and the call. */
export function machineMeter() {
  const read = () => {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    return { busy: v.reduce((a, b) => a + b, 0) - idle };
  };
  const t0 = performance.now();
  const a = read();
  return () => (read().busy - a.busy) / CLK_TCK / ((performance.now() - t0) / 1000);
}

/** Waits until the machine has been nearly idle (< 0.3 busy cores) for 500 ms, or `maxMs`; returns the last busy cores seen. */
export async function waitForQuiet(maxMs: number): Promise<number> {
  const t0 = performance.now();
  let busy = 0;
  do {
    const meter = machineMeter();
    await new Promise((r) => setTimeout(r, 500));
    busy = meter();
    if (busy < 0.3) break;
  } while (performance.now() - t0 < maxMs);
  return busy;
}
