import type { JetStreamClient } from '@nats-io/jetstream';
import { readingMsgId, type EdgePassing, type EdgeSessionMessage, type ReadingId } from '../actors/contracts/events.ts';
import { subjects } from '../actors/contracts/subjects.ts';
import { createReadingStamp } from './reading-stamp.ts';

type Unstamped<T> = T extends unknown ? Omit<T, keyof ReadingId> : never;

/** What an agent publishes, before it gets its reading id: a passing, or a session change, flag or clock tick. */
export type EdgeOutgoing =
  | { kind: 'passing'; body: Unstamped<EdgePassing> }
  | { kind: 'session'; body: Unstamped<EdgeSessionMessage> };

export interface EdgePublisher {
  /** Stamps the message `(device, boot, seq)` and resolves once JetStream acknowledged it. */
  publish(message: EdgeOutgoing): Promise<ReadingId>;
}

/**
 * Publishes an edge device's passings (`edge.<track>.<device>.passing`) and session messages (`….session`) to EDGE,
 * each with its reading id as the JetStream message id, so a re-publish is dropped by the stream. Shared by the
 * simulator and the JSON-lines replay.
 */
export function createEdgePublisher(js: JetStreamClient, opts: { track: string; device: string; boot?: string }): EdgePublisher {
  const stamp = createReadingStamp(opts.device, ...(opts.boot === undefined ? [] : [opts.boot]));
  return {
    async publish({ kind, body }) {
      const reading = stamp();
      await js.publish(subjects.edge(opts.track, opts.device, kind), JSON.stringify({ ...reading, ...body }), { msgID: readingMsgId(reading) });
      return reading;
    },
  };
}
