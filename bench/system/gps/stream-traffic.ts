import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

/** Messages, bytes and consumers of every JetStream stream (KV buckets included), by name. */
export type StreamCounts = Record<string, { messages: number; bytes: number; consumers: number; lastSeq: number }>;

/**
 * What each stream holds now (admin user). Read at both ends of a window, it says where nats-server's work went:
 * which streams took how many writes (lastSeq grows with every write, even those a KV's history limit drops).
 */
export async function streamCounts(nc: NatsConnection): Promise<StreamCounts> {
  const jsm = await jetstreamManager(nc);
  const out: StreamCounts = {};
  for await (const info of jsm.streams.list()) {
    out[info.config.name] = { messages: info.state.messages, bytes: info.state.bytes, consumers: info.state.consumer_count, lastSeq: info.state.last_seq };
  }
  return out;
}

/** Writes per stream between two readings, and the consumers each has at the end. */
export function streamWrites(a: StreamCounts, b: StreamCounts): Record<string, { writes: number; bytesNow: number; consumersNow: number }> {
  return Object.fromEntries(Object.entries(b).map(([name, s]) => [name, { writes: s.lastSeq - (a[name]?.lastSeq ?? 0), bytesNow: s.bytes, consumersNow: s.consumers }]));
}
