import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

/**
 * The engine refuses streams without limits (they would grow until the disk is full and take NATS down with them),
 * and watches its consumers: a consumer whose backlog reaches half of its stream's limits (bytes or age) is about to
 * lose data or stop the edge, and an operator must hear of it while there is time.
 */
export class StreamLimitsError extends Error {
  override name = 'StreamLimitsError';
}

export async function requireStreamLimits(nc: NatsConnection, streams = ['EDGE', 'RACE']): Promise<void> {
  const jsm = await jetstreamManager(nc);
  for (const name of streams) {
    const { config } = await jsm.streams.info(name).catch((err: Error) => {
      throw new StreamLimitsError(`stream ${name} is missing (${err.message}): create it with 'pitwall up' (engine/streams.ts)`);
    });
    const missing = [config.max_age > 0 ? '' : 'max_age', config.max_bytes > 0 ? '' : 'max_bytes'].filter(Boolean);
    if (missing.length > 0) {
      throw new StreamLimitsError(`refusing to start: stream ${name} has no ${missing.join(' and no ')}; set its limits (engine/streams.ts)`);
    }
  }
}

export interface ConsumerLag {
  stream: string;
  consumer: string;
  pending: number;
  /** Estimated bytes waiting, from the stream's average message size. */
  pendingBytes: number;
  /** Share of the stream's max_bytes the backlog takes (0..1). */
  bytesShare: number;
}

export async function consumerLag(jsm: JetStreamManager, stream: string, consumer: string): Promise<ConsumerLag> {
  const [s, c] = await Promise.all([jsm.streams.info(stream), jsm.consumers.info(stream, consumer)]);
  const average = s.state.messages > 0 ? s.state.bytes / s.state.messages : 0;
  const pending = c.num_pending + c.num_ack_pending;
  const pendingBytes = Math.round(pending * average);
  return { stream, consumer, pending, pendingBytes, bytesShare: s.config.max_bytes > 0 ? pendingBytes / s.config.max_bytes : 0 };
}

/** Checks the consumers every `everyMs` and warns (once per crossing) when one reaches half of its stream's bytes. */
export function watchConsumerLag(
  nc: NatsConnection,
  consumers: { stream: string; consumer: string }[],
  warn: (lag: ConsumerLag) => void,
  everyMs = 10_000,
): { stop(): void } {
  const warned = new Set<string>();
  const timer = setInterval(async () => {
    try {
      const jsm = await jetstreamManager(nc);
      for (const { stream, consumer } of consumers) {
        const lag = await consumerLag(jsm, stream, consumer).catch(() => undefined);
        if (!lag) continue;
        const key = `${stream}/${consumer}`;
        if (lag.bytesShare >= 0.5 && !warned.has(key)) {
          warned.add(key);
          warn(lag);
        } else if (lag.bytesShare < 0.4) warned.delete(key);
      }
    } catch {
      // NATS away: the connection's own status reports it
    }
  }, everyMs);
  return { stop: () => clearInterval(timer) };
}
