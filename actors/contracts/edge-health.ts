/**
 * `edge.<track>.<device>.health`: what every edge agent reports about itself, periodically (edge/agent-health.ts).
 * Agents add their own fields (the RMonitor agent: rmonitor.ts `RmonAgentHealth`).
 */

/** The agent's clock (edge/edge-clock.ts): stamps are monotonic time + `offsetUs`. */
export interface EdgeClockHealth {
  /** Offset of the stamps from the monotonic clock, µs: stamps are UTC as far as the system clock is. */
  offsetUs: number;
  /** System clock minus the stamps' clock, still to be slewed away, µs. */
  divergenceUs: number;
  /** How often a large divergence was stepped at once, and the last step. */
  steps: number;
  lastStepUs?: number;
}

/**
 * How full the outbox is, of its limit or of the room left on its disk if that is less: `ok` below 50 %, `filling`
 * from 50 %, `critical` from 80 %, `full` when it refuses.
 */
export type OutboxLevel = 'ok' | 'filling' | 'critical' | 'full';

/** The agent's outbox (edge/outbox/) and its link to JetStream. */
export interface EdgeOutboxHealth {
  /** On disk (survives a restart) or in memory. */
  durable: boolean;
  /** Readings taken and not yet acknowledged by JetStream. */
  pending: number;
  pendingBytes: number;
  maxBytes: number;
  /** Free space on the outbox's disk (a disk outbox). */
  diskFreeBytes?: number;
  level: OutboxLevel;
  /** Unacknowledged readings an earlier run of the agent left, sent first. */
  recovered: number;
  /** Lines of the outbox that could not be read back (a write torn by a crash), set aside. */
  unreadable: number;
  /** JetStream takes the readings (false while NATS is unreachable or the stream refuses). */
  connected: boolean;
  /** Since when `connected` has had its value (wall µs). */
  sinceUs: number;
  /** How often JetStream stopped taking readings (NATS unreachable, stream refusing). */
  outages: number;
  /** Publishes that failed and were retried. */
  publishRetries: number;
  /** Re-sends the stream recognised as duplicates. */
  duplicates: number;
  lastError?: string;
}

export interface EdgeAgentHealth {
  type: 'health';
  agent: string;
  device: string;
  boot: string;
  /** When this health was taken, on the agent's clock. */
  atUs: number;
  clock: EdgeClockHealth;
  outbox: EdgeOutboxHealth;
  /** Last seq of this boot acknowledged by JetStream. */
  ackedSeq: number;
}
