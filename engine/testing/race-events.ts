import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { LapEvent, SessionInput } from '../../actors/contracts/events.ts';
import { parseTimingSubject } from '../../actors/contracts/subjects.ts';
import { fencedInputs, withoutLease } from '../ownership/fence.ts';

/**
 * Everything stream RACE holds for one session, in stream order: the inputs that count (the ownership fence applied,
 * as the engine applies it), the laps the actor derived, and how many events stale owners wrote (`stale`).
 */
export async function readRaceEvents(
  nc: NatsConnection,
  track: string,
  session: string,
): Promise<{ inputs: SessionInput[]; laps: LapEvent[]; stale: number; lastSeq: number }> {
  const filter = `timing.${track}.${session}.>`;
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info('RACE', { subjects_filter: filter });
  const total = Object.values(info.state.subjects ?? {}).reduce((a, b) => a + b, 0);
  const consumer = await jetstream(nc).consumers.get('RACE', {
    filter_subjects: filter as unknown as string[], // a single filter_subject on nats-server 2.9
    deliver_policy: DeliverPolicy.All,
  });
  const events: { kind: string; payload: unknown }[] = [];
  const laps: LapEvent[] = [];
  let lastSeq = 0;
  for (let seen = 0; seen < total; ) {
    const batch = await consumer.fetch({ max_messages: Math.min(1000, total - seen), expires: 2000 });
    for await (const msg of batch) {
      seen++;
      lastSeq = msg.seq;
      const payload = msg.json<object>();
      const kind = parseTimingSubject(msg.subject)?.kind ?? '';
      events.push({ kind, payload });
      if (kind === 'lap') laps.push(withoutLease(payload) as LapEvent);
    }
  }
  await consumer.delete().catch(() => undefined);
  const { inputs, stale } = fencedInputs(events);
  return { inputs, laps, stale, lastSeq };
}
