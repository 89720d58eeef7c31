import type { StepResult, SystemRun } from './measure.ts';
import { SERVER_BOUND_CORES } from './plan.ts';

/**
 * What a ramp says: the most delivered per second in a step that held (p99 < 1 s, ≥ 90% delivered), and what
 * stopped it. A ratio between two systems counts only when both stopped because their server was busy.
 */
export type Bound = 'server-bound' | 'client-bound' | 'neither saturated' | 'not saturated' | 'failed';

/** What stopped a step that did not hold: the server's core, the receivers' core, or neither (the machine's other load, or a limit inside the server that is not CPU). */
function stopper(s: StepResult): Bound {
  if (s.serverCores >= SERVER_BOUND_CORES) return 'server-bound';
  if (s.receiverCores >= SERVER_BOUND_CORES) return 'client-bound';
  return 'neither saturated';
}

export interface Capacity {
  perSec: number;
  bound: Bound;
  /** The step that did not hold (or the last one). */
  limit?: StepResult;
}

export function capacity(steps: readonly StepResult[], error?: string): Capacity {
  const held = steps.filter((s) => s.held);
  const perSec = Math.max(0, ...held.map((s) => s.deliveredPerSec));
  const failing = steps.find((s) => !s.held);
  if (error && steps.length === 0) return { perSec, bound: 'failed' };
  if (!failing) {
    // Every step held: the system was not pushed to its limit, unless its server was already saturated.
    const last = steps[steps.length - 1];
    return { perSec, bound: last && last.serverCores >= SERVER_BOUND_CORES ? 'server-bound' : 'not saturated', limit: last };
  }
  return { perSec, bound: stopper(failing), limit: failing };
}

export interface Ratio {
  value: number;
  /** True when both sides were server-bound: the ratio measures the servers. */
  counts: boolean;
  /** 'lower bound' when Pitwall was not pushed to its limit and the peer was server-bound. */
  note: string;
}

export function ratio(pitwall: Capacity, peer: Capacity): Ratio | undefined {
  if (peer.perSec <= 0 || pitwall.perSec <= 0) return undefined;
  const value = pitwall.perSec / peer.perSec;
  const counts = pitwall.bound === 'server-bound' && peer.bound === 'server-bound';
  let note = counts ? '' : `Pitwall ${pitwall.bound}, peer ${peer.bound}`;
  if (peer.bound === 'server-bound' && pitwall.bound === 'not saturated') note = 'lower bound (Pitwall not saturated)';
  return { value, counts, note };
}

export const transportCapacity = (run: SystemRun) => capacity(run.transport, run.error);
export const naturalCapacity = (run: SystemRun) => capacity(run.natural, run.error);
