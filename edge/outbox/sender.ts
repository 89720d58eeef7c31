import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { createBackoff, type BackoffOptions } from '../backoff.ts';
import type { Outbox, OutboxEntry } from './outbox.ts';

/**
 * Empties an outbox into JetStream, strictly in order: the head is published with its message id, and leaves the
 * outbox only once JetStream acknowledged it; then the next. A failed publish (NATS unreachable, stream full) is
 * retried, the same entry again, with bounded backoff, forever: nothing is skipped. While the connection is down it
 * waits for the reconnect instead of queueing copies in the client's reconnect buffer.
 */
export interface OutboxSenderStatus {
  /** The last publish succeeded (false from a failure until the next success). */
  connected: boolean;
  /** Since when `connected` has had its value (wall µs). */
  sinceUs: number;
  /** Publishes that failed and were retried. */
  retries: number;
  /** How often JetStream stopped taking readings (NATS unreachable, stream refusing). */
  outages: number;
  /** Acknowledgements that said the stream already had the message (a re-send after a lost ack). */
  duplicates: number;
  lastError?: string;
}

export interface OutboxSender {
  /** Something was appended: send it. */
  wake(): void;
  /** Resolves when the outbox is empty. */
  drained(): Promise<void>;
  status(): OutboxSenderStatus;
  /** Stops after the publish in flight; what is left stays in the outbox. */
  stop(): Promise<void>;
}

export interface OutboxSenderDeps {
  /** The connection, or its promise while NATS has not been reached yet (entries wait in the outbox meanwhile). */
  nc: NatsConnection | Promise<NatsConnection>;
  outbox: Outbox;
  log?: (line: string) => void;
  /** Called after each acknowledged entry (it has left the outbox). */
  onAck?: (entry: OutboxEntry) => void;
  nowUs?: () => number;
  random?: () => number;
}

export const SENDER_BACKOFF: BackoffOptions = { initialMs: 100, maxMs: 2000 };

export function startOutboxSender(deps: OutboxSenderDeps, opts: { backoff?: BackoffOptions; publishTimeoutMs?: number } = {}): OutboxSender {
  const { outbox } = deps;
  const log = deps.log ?? (() => undefined);
  const nowUs = deps.nowUs ?? (() => Date.now() * 1000);
  const backoff = createBackoff(opts.backoff ?? SENDER_BACKOFF, deps.random);
  const status: OutboxSenderStatus = { connected: true, sinceUs: nowUs(), retries: 0, outages: 0, duplicates: 0 };
  let stopped = false;
  let stop!: () => void;
  const stopRequested = new Promise<undefined>((resolve) => (stop = () => resolve(undefined)));
  let linkDown = false;
  let wakeUp: (() => void) | undefined;
  const wake = () => {
    wakeUp?.();
    wakeUp = undefined;
  };
  /** Waits for wake(), or for `ms` when given. */
  const pause = (ms?: number) =>
    new Promise<void>((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(resolve, ms);
      wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  let drainWaiters: (() => void)[] = [];

  const watchLink = async (nc: NatsConnection) => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') linkDown = true;
      if (s.type === 'reconnect') {
        linkDown = false;
        wake();
      }
    }
  };

  const setConnected = (connected: boolean, error?: string) => {
    if (error !== undefined) status.lastError = error;
    if (status.connected === connected) return;
    status.connected = connected;
    status.sinceUs = nowUs();
    if (!connected) {
      status.outages++;
      log(`outbox: JetStream unreachable (${status.lastError}); readings are kept until it is back`);
    }
  };

  const loop = (async () => {
    if (deps.nc instanceof Promise) setConnected(false, 'NATS not reached yet');
    const nc = await Promise.race([deps.nc, stopRequested]).catch(() => undefined);
    if (!nc) return;
    void watchLink(nc).catch(() => undefined);
    const js = jetstream(nc, { timeout: opts.publishTimeoutMs ?? 5000 });
    while (!stopped) {
      const entry = outbox.head();
      if (!entry) {
        drainWaiters.forEach((w) => w());
        drainWaiters = [];
        await pause();
        continue;
      }
      if (linkDown || nc.isClosed()) {
        setConnected(false, 'NATS connection lost');
        await pause(backoff.next());
        continue;
      }
      try {
        const ack = await js.publish(entry.subject, entry.data, { msgID: entry.msgId });
        if (ack.duplicate) status.duplicates++;
        outbox.ack(entry);
        backoff.reset();
        if (!status.connected) log(`outbox: publishing again after ${Math.round((nowUs() - status.sinceUs) / 1000)} ms; ${outbox.stats().pending} pending`);
        setConnected(true);
        deps.onAck?.(entry);
      } catch (err) {
        status.retries++;
        const message = (err as Error).message;
        setConnected(false, `publish of ${entry.msgId} failed: ${message}`);
        if (!stopped) await pause(backoff.next());
      }
    }
  })();

  return {
    wake,
    drained: () => (outbox.head() ? new Promise<void>((resolve) => drainWaiters.push(resolve)) : Promise.resolve()),
    status: () => ({ ...status }),
    async stop() {
      stopped = true;
      stop();
      wake();
      await loop;
    },
  };
}
