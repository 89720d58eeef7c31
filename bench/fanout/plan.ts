/** How long and how hard each run goes. Every step is bounded; the whole run has a deadline. */
export interface Plan {
  name: 'quick' | 'full';
  clientCounts: number[];
  /** Offered frames per second over all clients, ramped until p99 ≥ 1 s or delivery < 90% (then the ramp stops). */
  transportTotals: number[];
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
}

export const PLANS: Record<Plan['name'], Plan> = {
  quick: {
    name: 'quick', clientCounts: [1000], transportTotals: [50_000, 200_000, 600_000], warmupMs: 500, windowMs: 1500,
    realisticRate: 2 / 3, realisticWindowMs: 4000, naturalRates: [20, 100], probes: 50, deadlineMs: 110_000,
  },
  full: {
    name: 'full', clientCounts: [1000, 5000, 10_000, 19_000], transportTotals: [50_000, 150_000, 400_000, 1_000_000],
    warmupMs: 700, windowMs: 2000, realisticRate: 2 / 3, realisticWindowMs: 5000, naturalRates: [10, 40, 160], probes: 50,
    deadlineMs: 14 * 60_000,
  },
};

/** A step holds when p99 is under this and at least DELIVERY_FLOOR of what was offered arrived. */
export const P99_LIMIT_MS = 1000;
export const DELIVERY_FLOOR = 0.9;
/** A server process is the bottleneck only when it used at least this much of a core. */
export const SERVER_BOUND_CORES = 0.9;
