/** How long and how hard each run goes. Every step is bounded; the whole run has a deadline. */
export interface Plan {
  name: 'quick' | 'full';
  clientCounts: number[];
  /** Frames per second per client, ramped until p99 ≥ 1 s or delivery < 90% (then the ramp stops). */
  transportHz: number[];
  warmupMs: number;
  windowMs: number;
  /** The realistic race (with the start burst): passings per second and its window. */
  realisticRate: number;
  realisticWindowMs: number;
  /** Faster passing rates for the natural-strategy capacity. */
  naturalRates: number[];
  /** Probe connections per system (they decode payloads for latency). */
  probes: number;
  deadlineMs: number;
  /** Before each system: wait up to this long for the machine to be idle (others' builds and tests share it). */
  quietWaitMs: number;
  /** After an overloaded phase: wait at most this long for queued frames to arrive. */
  drainMs: number;
}

export const PLANS: Record<Plan['name'], Plan> = {
  quick: {
    name: 'quick', clientCounts: [1000], transportHz: [10, 100, 400], warmupMs: 300, windowMs: 1000,
    realisticRate: 2 / 3, realisticWindowMs: 2500, naturalRates: [20, 200], probes: 50, deadlineMs: 114_000, quietWaitMs: 1000, drainMs: 2500,
  },
  full: {
    name: 'full', clientCounts: [1000, 5000, 10_000, 19_000], transportHz: [5, 20, 80, 300],
    warmupMs: 500, windowMs: 1500, realisticRate: 2 / 3, realisticWindowMs: 4000, naturalRates: [20, 100, 400], probes: 50,
    deadlineMs: 14 * 60_000, quietWaitMs: 1500, drainMs: 3000,
  },
};

/** A step holds when p99 is under this and at least DELIVERY_FLOOR of what was offered arrived. */
export const P99_LIMIT_MS = 1000;
export const DELIVERY_FLOOR = 0.9;
/** A server process is the bottleneck only when it used at least this much of a core. */
export const SERVER_BOUND_CORES = 0.9;
