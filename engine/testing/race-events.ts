import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { LapEvent, SessionInput } from '../../actors/contracts/events.ts';
import { parseTimingSubject } from '../../actors/contracts/subjects.ts';

/** Everything stream RACE holds for one session, in stream order: its inputs and the laps the actor derived. */
export async function readRaceEvents(
  nc: NatsConnection,
  track: string,
  session: string,
): Promise<{ inputs: SessionInput[]; laps: LapEvent[]; lastSeq: number }> {
  const filter = `timing.${track}.${session}.>`;
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info('RACE', { subjects_filter: filter });
  const total = Object.values(info.state.subjects ?? {}).reduce((a, b) => a + b, 0);
  const consumer = await jetstream(nc).consumers.get('RACE', {
    filter_subjects: filter as unknown as string[], // a single filter_subject on nats-server 2.9
    deliver_policy: DeliverPolicy.All,
  });
  const inputs: SessionInput[] = [];
  const laps: LapEvent[] = [];
  let lastSeq = 0;
  for (let seen = 0; seen < total; ) {
    const batch = await consumer.fetch({ max_messages: Math.min(1000, total - seen), expires: 2000 });
    for await (const msg of batch) {
      seen++;
      lastSeq = msg.seq;
      if (parseTimingSubject(msg.subject)?.kind === 'lap') laps.push(msg.json<LapEvent>());
      else inputs.push(msg.json<SessionInput>());
    }
  }
  await consumer.delete().catch(() => undefined);
  return { inputs, laps, lastSeq };
}
