/**
 * The worst value seen in each second of a run (by the sample's own time, µs on the shared clock): tells a tail made
 * of a few stalls (some seconds much worse than the rest) from a slow path (every second alike), which a reservoir's
 * percentiles cannot.
 */
export function createWorstPerSecond() {
  let startUs: number | undefined;
  let worst: number[] = [];
  return {
    add(atUs: number, value: number) {
      startUs ??= atUs;
      const i = Math.floor((atUs - startUs) / 1e6);
      if (i >= 0 && !(worst[i]! >= value)) worst[i] = value;
    },
    /** Worst value per second from the first sample on (0 for a second without samples), and starts again. */
    take(): number[] {
      const out = Array.from(worst, (v) => v ?? 0);
      startUs = undefined;
      worst = [];
      return out;
    },
  };
}

/** "k of n seconds worse than `limitMs` (at 12, 22, 32 s)" from a series of µs. */
export function describeStalls(series: readonly number[], limitMs: number): string {
  const bad = series.flatMap((v, i) => (v > limitMs * 1000 ? [i] : []));
  const at = bad.length ? ` (at ${bad.slice(0, 12).join(', ')}${bad.length > 12 ? ', …' : ''} s)` : '';
  return `${bad.length} of ${series.length} seconds had a worst over ${limitMs} ms${at}`;
}
