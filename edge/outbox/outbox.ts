/**
 * The edge outbox (DESIGN §2.2): every reading an agent takes is appended here before it is published, and removed
 * only after JetStream acknowledged it, so a NATS outage, a full stream or a killed agent loses nothing. Entries
 * leave in the order they came (`head` → publish → `ack`), each with its JetStream message id, so a re-send after a
 * lost acknowledgement is dropped by the stream (inside its window) or by the session actor (beyond it).
 *
 * Two stores share this interface: on disk (disk-outbox.ts: survives `kill -9` and power loss) and in memory
 * (memory-outbox.ts: for agents run inside another process, e.g. the demo and tests; survives NATS outages only).
 */

/** What is published: a subject, the message id JetStream dedupes on, and the payload (JSON, no newline). */
export interface OutboxMessage {
  subject: string;
  msgId: string;
  data: string;
}

export interface OutboxEntry extends OutboxMessage {
  /** Position in the outbox, counting up from 1 across restarts. */
  index: number;
}

export interface OutboxStats {
  /** True when entries survive the process (on disk). */
  durable: boolean;
  /** The outbox directory (disk store only). */
  dir?: string;
  /** Entries appended and not yet acknowledged. */
  pending: number;
  pendingBytes: number;
  /** Appends are refused beyond this (or when the disk is full). */
  maxBytes: number;
  /** Free space on the outbox's disk (disk store only): the real bound when it is smaller than `maxBytes`. */
  diskFreeBytes?: number;
  /** Entries found unacknowledged when the outbox was opened (left by an earlier run). */
  recovered: number;
  /** Lines that could not be read back (a torn last write, damaged data): set aside, counted. */
  unreadable: number;
}

export interface Outbox {
  /** Appends a message (durably, for the disk store) and returns its entry; throws OutboxFullError when full. */
  append(message: OutboxMessage): OutboxEntry;
  /** The oldest unacknowledged entry. */
  head(): OutboxEntry | undefined;
  /** JetStream acknowledged `entry`, which must be the head: it leaves the outbox. */
  ack(entry: OutboxEntry): void;
  stats(): OutboxStats;
  /** Releases files; unacknowledged entries stay for the next open. */
  close(): void;
}

export class OutboxFullError extends Error {
  override name = 'OutboxFullError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Bytes an entry takes (its line on disk), the unit of `maxBytes`. */
export const entryBytes = (m: OutboxMessage) => Buffer.byteLength(m.subject) + Buffer.byteLength(m.msgId) + Buffer.byteLength(m.data) + 3;

export const DEFAULT_OUTBOX_MAX_BYTES = 1024 ** 3;
