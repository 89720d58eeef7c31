import type { NatsConnection } from '@nats-io/transport-node';
import type { EdgeOutboxHealth } from '../actors/contracts/edge-health.ts';
import { readingMsgId, type EdgePassing, type EdgeSessionMessage, type ReadingId } from '../actors/contracts/events.ts';
import type { EdgeRawMessage } from '../actors/contracts/raw.ts';
import type { EdgeRmonMessage } from '../actors/contracts/rmonitor.ts';
import { subjects } from '../actors/contracts/subjects.ts';
import { createFillWarnings, outboxLevel } from './outbox/fill-level.ts';
import { createMemoryOutbox } from './outbox/memory-outbox.ts';
import { OutboxFullError, type Outbox } from './outbox/outbox.ts';
import { startOutboxSender } from './outbox/sender.ts';
import type { Paced } from './pace.ts';
import { createReadingStamp } from './reading-stamp.ts';

type Unstamped<T> = T extends unknown ? Omit<T, keyof ReadingId> : never;

/** What an agent publishes, before it gets its reading id: a passing, a session change, flag or clock tick, an RMonitor line, a decoder's own record. */
export type EdgeOutgoing =
  | { kind: 'passing'; body: Unstamped<EdgePassing> }
  | { kind: 'session'; body: Unstamped<EdgeSessionMessage> }
  | { kind: 'rmon'; body: Unstamped<EdgeRmonMessage> }
  | { kind: 'raw'; body: Unstamped<EdgeRawMessage> };

export interface EdgePublisherDeps {
  /** The connection, or its promise while NATS has not been reached yet: readings are kept in the outbox meanwhile. */
  nc: NatsConnection | Promise<NatsConnection>;
  /** Where readings wait for JetStream: a disk outbox for a track-side agent (edge/outbox/disk-outbox.ts); in memory by default. */
  outbox?: Outbox;
  log?: (line: string) => void;
}

export interface EdgePublisher {
  /** This run's boot id (random per start, part of every reading id). */
  readonly boot: string;
  /**
   * Stamps the message `(device, boot, seq)` and appends it to the outbox; resolves once it is there (waiting while the
   * outbox is full, in call order). JetStream gets it from the outbox, in order, with its reading id as message id.
   */
  publish(message: EdgeOutgoing): Promise<ReadingId>;
  /** Resolves once everything published so far is acknowledged by JetStream. */
  drained(): Promise<void>;
  outboxHealth(): EdgeOutboxHealth;
  /** Last seq of this boot acknowledged by JetStream. */
  ackedSeq(): number;
  /** Stops sending and closes the outbox; what is unacknowledged stays in a disk outbox for the next run. */
  stop(): Promise<void>;
}

/** While the outbox is full, an append is tried again after each acknowledgement, or after this long (disk freed). */
const FULL_RETRY_MS = 1000;

/**
 * Publishes an edge device's readings (`edge.<track>.<device>.<kind>`) through its outbox (DESIGN §2.2): every
 * reading is in the outbox before anything is sent, and leaves it only when JetStream acknowledged it, so NATS
 * outages and agent restarts lose nothing and send nothing twice under another id. Shared by every agent.
 */
export function createEdgePublisher(deps: EdgePublisherDeps, opts: { track: string; device: string; boot?: string }): EdgePublisher {
  const stamp = createReadingStamp(opts.device, ...(opts.boot === undefined ? [] : [opts.boot]));
  const boot = stamp.boot;
  const log = deps.log ?? (() => undefined);
  const outbox = deps.outbox ?? createMemoryOutbox();
  const warn = createFillWarnings(log);
  const ownPrefix = `${opts.device}:${boot}:`;
  let ackedSeq = 0;
  let refused = false;
  let onAck: (() => void) | undefined;
  const sender = startOutboxSender({
    nc: deps.nc,
    outbox,
    log,
    onAck(entry) {
      if (entry.msgId.startsWith(ownPrefix)) ackedSeq = Number(entry.msgId.slice(ownPrefix.length));
      warn(outbox.stats(), false);
      onAck?.();
    },
  });

  const appendWhenRoom = async (subject: string, msgId: string, data: string) => {
    for (;;) {
      try {
        outbox.append({ subject, msgId, data });
        refused = false;
        warn(outbox.stats(), false);
        sender.wake();
        return;
      } catch (err) {
        if (!(err instanceof OutboxFullError)) throw err;
        refused = true;
        warn(outbox.stats(), true);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, FULL_RETRY_MS);
          onAck = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        onAck = undefined;
      }
    }
  };

  let appending: Promise<void> = Promise.resolve();
  let stopping: Promise<void> | undefined;
  return {
    boot,
    publish({ kind, body }) {
      const reading = stamp();
      const subject = subjects.edge(opts.track, opts.device, kind);
      const data = JSON.stringify({ ...reading, ...body });
      const appended = appending.then(() => appendWhenRoom(subject, readingMsgId(reading), data));
      appending = appended.catch(() => undefined);
      return appended.then(() => reading);
    },
    drained: () => appending.then(() => sender.drained()),
    outboxHealth() {
      const stats = outbox.stats();
      const link = sender.status();
      return {
        durable: stats.durable,
        pending: stats.pending,
        pendingBytes: stats.pendingBytes,
        maxBytes: stats.maxBytes,
        ...(stats.diskFreeBytes === undefined ? {} : { diskFreeBytes: stats.diskFreeBytes }),
        level: outboxLevel(stats, refused),
        recovered: stats.recovered,
        unreadable: stats.unreadable,
        connected: link.connected,
        sinceUs: link.sinceUs,
        outages: link.outages,
        publishRetries: link.retries,
        duplicates: link.duplicates,
        ...(link.lastError === undefined ? {} : { lastError: link.lastError }),
      };
    },
    ackedSeq: () => ackedSeq,
    stop: () =>
      (stopping ??= sender.stop().then(() => outbox.close())),
  };
}

/** A paced playback through `publisher`: `done` also waits for JetStream to take everything; stop() ends both. */
export function untilDelivered<S>(paced: Paced, publisher: EdgePublisher, summary: S): { done: Promise<S>; publisher: EdgePublisher; stop(): Promise<void> } {
  let stopped!: () => void;
  const stopping = new Promise<void>((resolve) => (stopped = resolve));
  const done = paced.done
    .then(() => Promise.race([publisher.drained(), stopping]))
    .then(async () => {
      await publisher.stop();
      return summary;
    });
  return {
    done,
    publisher,
    async stop() {
      paced.stop();
      stopped();
      await publisher.stop();
    },
  };
}
