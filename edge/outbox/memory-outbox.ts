import { DEFAULT_OUTBOX_MAX_BYTES, entryBytes, OutboxFullError, type Outbox, type OutboxEntry } from './outbox.ts';

/**
 * An outbox held in memory: same order, bound and acknowledgement rules as the disk store, but gone with the process.
 * For agents that run inside another process (the demo, tests); a track-side agent uses the disk store.
 */
export function createMemoryOutbox(opts: { maxBytes?: number } = {}): Outbox {
  const maxBytes = opts.maxBytes ?? DEFAULT_OUTBOX_MAX_BYTES;
  const entries: OutboxEntry[] = [];
  let next = 1;
  let bytes = 0;
  return {
    append(message) {
      const size = entryBytes(message);
      if (bytes + size > maxBytes) throw new OutboxFullError(`outbox full: ${entries.length} entries, ${bytes} of ${maxBytes} bytes`);
      const entry = { ...message, index: next++ };
      entries.push(entry);
      bytes += size;
      return entry;
    },
    head: () => entries[0],
    ack(entry) {
      if (entries[0]?.index !== entry.index) throw new Error(`outbox: ack of ${entry.index}, but the head is ${entries[0]?.index}`);
      entries.shift();
      bytes -= entryBytes(entry);
    },
    stats: () => ({ durable: false, pending: entries.length, pendingBytes: bytes, maxBytes, recovered: 0, unreadable: 0 }),
    close: () => undefined,
  };
}
