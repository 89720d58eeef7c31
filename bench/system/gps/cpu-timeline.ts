import { cpuSeconds } from '../../fanout/proc.ts';
import { machineMeter } from '../../fanout/proc.ts';

/**
 * CPU of named processes and of the whole machine, second by second (cores), while a window runs: when a latency
 * tail comes from a few bad seconds, this says whether our servers were working hard then (their own stall) or
 * starved (the machine busy with other work).
 */
export function startCpuTimeline(pids: Record<string, number>, everyMs = 1000) {
  const names = Object.keys(pids);
  const series: Record<string, number[]> = Object.fromEntries([...names, 'machine'].map((n) => [n, []]));
  let last = names.map((n) => cpuSeconds(pids[n]!) ?? 0);
  let machine = machineMeter();
  let at = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    const seconds = (now - at) / 1000;
    const current = names.map((n) => cpuSeconds(pids[n]!) ?? 0);
    names.forEach((n, i) => series[n]!.push(Number(((current[i]! - last[i]!) / seconds).toFixed(2))));
    series.machine!.push(Number(machine().toFixed(2)));
    last = current;
    machine = machineMeter();
    at = now;
  }, everyMs);
  return {
    /** Stops sampling; one value per interval per process, and `machine` (busy cores, everyone's). */
    stop(): Record<string, number[]> {
      clearInterval(timer);
      return series;
    },
  };
}
