import type { SessionView } from '../../actors/contracts/view.ts';
import { completeLap, sampleView } from '../../gateway/testing/race-views.ts';
import { benchUs } from './clock.ts';
import { SESSION, TRACK } from './payload.ts';

/**
 * A live race in real time for the natural-strategy runs: 30 cars; every car laps every `30 / rate` seconds (±3%),
 * so the whole field gives `rate` passings per second. `raceUs` of a passing is its real time (µs since the run's
 * epoch), which is how receivers measure passing-to-receipt latency from the payload alone.
 * `start()` begins with the start burst: the whole grid crosses the line within `burstMs`.
 */
export interface Race {
  view(): SessionView;
  /** Starts (or changes the rate of) the race; `burst` releases the whole grid across the line first. */
  start(rate: number, burst: boolean): void;
  stop(): void;
}

export const CARS = 30;
export const BURST_MS = 2000;

export function createRace(onPassing: (prev: SessionView, next: SessionView) => void, seed = 11): Race {
  let view = sampleView({ track: TRACK, session: SESSION, cars: CARS });
  let state = seed;
  const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31), state / 2 ** 31);
  let lapMs = 45_000;
  const nextAt = new Map<string, number>();
  let timer: ReturnType<typeof setTimeout> | undefined;

  const pass = (number: string, nowMs: number) => {
    const row = view.rows.find((r) => r.number === number);
    if (!row) return;
    const raceUs = benchUs();
    const prev = view;
    view = completeLap(view, number, Math.max(1, raceUs - (row.raceUs ?? 0)));
    nextAt.set(number, nowMs + lapMs * (0.97 + 0.06 * random()));
    onPassing(prev, view);
  };

  const loop = () => {
    const now = performance.now();
    // Every car that is due crosses now (at high rates several share one timer turn, as they would in one tick).
    for (const [number, at] of nextAt) if (at <= now) pass(number, now);
    let soonest = Infinity;
    for (const at of nextAt.values()) soonest = Math.min(soonest, at);
    timer = setTimeout(loop, Math.max(0, soonest - performance.now()));
  };

  return {
    view: () => view,
    start(rate, burst) {
      clearTimeout(timer);
      const now = performance.now();
      lapMs = (CARS / rate) * 1000;
      // burst: the grid crosses in order over BURST_MS. A new rate: the cars keep their running order on track but
      // are spread evenly over one new lap, so passings come at the new rate at once (not after the old lap ends).
      const order = burst ? view.rows.map((r) => r.number)
        : [...view.rows].sort((a, b) => (nextAt.get(a.number) ?? 0) - (nextAt.get(b.number) ?? 0)).map((r) => r.number);
      order.forEach((number, i) => nextAt.set(number, now + (burst ? (i * BURST_MS) / CARS : ((i + 1) * lapMs) / CARS)));
      loop();
    },
    stop() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
