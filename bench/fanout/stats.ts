/** Percentiles and small statistics over latency samples (µs). */

/** The q-quantile (0..1) of `sorted` (ascending), nearest rank; undefined when empty. */
export function quantile(sorted: readonly number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

export interface LatencySummary {
  count: number;
  p50Ms?: number;
  p99Ms?: number;
  maxMs?: number;
}

export function summarise(samplesUs: readonly number[]): LatencySummary {
  const sorted = [...samplesUs].sort((a, b) => a - b);
  const ms = (us: number | undefined) => (us === undefined ? undefined : us / 1000);
  return { count: sorted.length, p50Ms: ms(quantile(sorted, 0.5)), p99Ms: ms(quantile(sorted, 0.99)), maxMs: ms(sorted[sorted.length - 1]) };
}

/**
 * Keeps at most `max` samples with uniform probability (reservoir sampling), so a receiver's memory and the IPC
 * message that carries its samples stay bounded however many frames arrive.
 */
export function createReservoir(max: number) {
  let seen = 0;
  let samples: number[] = [];
  return {
    add(value: number) {
      seen += 1;
      if (samples.length < max) samples.push(value);
      else {
        const i = Math.floor(Math.random() * seen);
        if (i < max) samples[i] = value;
      }
    },
    take(): number[] {
      const out = samples;
      samples = [];
      seen = 0;
      return out;
    },
  };
}
