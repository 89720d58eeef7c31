import type { EdgeClockHealth } from '../actors/contracts/edge-health.ts';

/**
 * The edge agent's clock: readings are stamped with a monotonic clock plus an offset to UTC, so a reading keeps its
 * true crossing time however long it waits in the outbox, and lap times (differences of stamps) stay exact when the
 * system clock is stepped — which is exactly what happens when the network returns after an outage and NTP resyncs.
 *
 * The offset is measured against the system clock (UTC, kept by NTP/chrony): at the start, and on every `measure()`
 * (each health report). A small divergence is slewed away at most `slewPpm` (so a lap time changes by at most that
 * fraction); a larger one (`stepUs`, e.g. a box that booted with a wrong clock and synced later) is stepped at once
 * and counted. Both clocks are dependencies, so tests drive them.
 */
export interface EdgeClockDeps {
  /** Monotonic nanoseconds (process.hrtime.bigint). */
  monotonicNs?: () => bigint;
  /** System wall clock, ms since the epoch. */
  wallMs?: () => number;
}

export interface EdgeClockOptions {
  /** Largest correction rate, parts per million of elapsed time (default 500, as NTP's). */
  slewPpm?: number;
  /** Divergences beyond this are stepped (default 1 s). */
  stepUs?: number;
}

export interface EdgeClock {
  /** Now, in µs since the epoch: monotonic + offset. */
  nowUs(): number;
  /** Compares with the system clock, corrects the offset (slew or step) and reports. */
  measure(): EdgeClockHealth;
}

export function createEdgeClock(deps: EdgeClockDeps = {}, opts: EdgeClockOptions = {}): EdgeClock {
  const monotonicNs = deps.monotonicNs ?? (() => process.hrtime.bigint());
  const wallMs = deps.wallMs ?? Date.now;
  const slewPpm = opts.slewPpm ?? 500;
  const stepUs = opts.stepUs ?? 1_000_000;
  const monoUs = () => Number(monotonicNs() / 1000n);
  const measured = () => Math.round(wallMs() * 1000) - monoUs();

  let offsetUs = measured();
  let lastCorrectionMono = monoUs();
  let steps = 0;
  let lastStepUs: number | undefined;

  return {
    nowUs: () => monoUs() + offsetUs,
    measure() {
      const now = monoUs();
      const measuredOffsetUs = measured();
      const divergence = measuredOffsetUs - offsetUs;
      if (Math.abs(divergence) > stepUs) {
        offsetUs = measuredOffsetUs;
        steps++;
        lastStepUs = divergence;
      } else {
        const allowed = Math.floor(((now - lastCorrectionMono) * slewPpm) / 1e6);
        offsetUs += Math.sign(divergence) * Math.min(Math.abs(divergence), allowed);
      }
      lastCorrectionMono = now;
      return {
        offsetUs,
        divergenceUs: measuredOffsetUs - offsetUs,
        steps,
        ...(lastStepUs === undefined ? {} : { lastStepUs }),
      };
    },
  };
}
