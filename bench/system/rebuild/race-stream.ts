import { jetstreamManager } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/transport-node';
import { lapMsgId } from '../../../actors/contracts/events.ts';
import { subjects, timingKindOf } from '../../../actors/contracts/subjects.ts';
import type { OwnerMarker } from '../../../engine/ownership/fence.ts';
import type { Race24h } from './race-24h.ts';

/**
 * Writes a generated race into stream RACE as a live engine would have left it: the owner's marker, then every input
 * and, right after the input that completed it, each lap the actor wrote back (with its message id, as the host
 * writes it), all stamped with the owner's lease epoch (engine/ownership/fence.ts) so a later owner's fold admits them.
 *
 * This is set-up, not a measurement, and it is the slow part of the scenario: so the messages go as core NATS
 * publishes on one connection (no ack each; the stream stores them in the order sent), flushed every `window`, and
 * the stream's message count is checked at the end. RACE must be empty before: then the i-th message is sequence i.
 * Returns the RACE sequence of each input (for a snapshot's `streamSeq`) and the stream's last sequence.
 */
export async function writeRaceStream(nc: NatsConnection, race: Race24h, epoch: number, window = 5000): Promise<{ inputSeqs: number[]; lastSeq: number; messages: number }> {
  const jsm = await jetstreamManager(nc);
  const before = (await jsm.streams.info('RACE')).state;
  if (before.messages !== 0) throw new Error(`RACE holds ${before.messages} messages: writeRaceStream needs it empty`);
  const { track, session } = race.ref;
  let messages = 0;
  const send = async (subject: string, payload: object, msgId?: string) => {
    const h = msgId === undefined ? undefined : headers();
    h?.set('Nats-Msg-Id', msgId!);
    nc.publish(subject, JSON.stringify({ ...payload, lease: epoch }), h ? { headers: h } : undefined);
    if (++messages % window === 0) await nc.flush();
  };
  const marker: OwnerMarker = { atUs: race.inputs[0]?.atUs ?? 0, lease: epoch, node: 'bench-live' };
  await send(subjects.timing(track, session, 'owner'), marker);
  const inputSeqs: number[] = new Array(race.inputs.length);
  let next = 0;
  for (const [i, input] of race.inputs.entries()) {
    await send(subjects.timing(track, session, timingKindOf(input.kind)), input);
    inputSeqs[i] = before.last_seq + messages;
    for (; next < race.laps.length && race.laps[next]!.afterInput === i; next++) {
      const { lap } = race.laps[next]!;
      await send(subjects.timing(track, session, 'lap'), lap, lapMsgId(lap));
    }
  }
  await nc.flush();
  // The stream stores asynchronously: wait until it holds all, and refuse to go on if any went missing.
  for (let waited = 0; ; waited += 50) {
    const state = (await jsm.streams.info('RACE')).state;
    if (state.messages === messages) return { inputSeqs, lastSeq: state.last_seq, messages };
    if (waited > 30_000) throw new Error(`RACE holds ${state.messages} of the ${messages} messages written`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
