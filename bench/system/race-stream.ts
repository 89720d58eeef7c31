import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { lapMsgId } from '../../actors/contracts/events.ts';
import { subjects, timingKindOf } from '../../actors/contracts/subjects.ts';
import type { OwnerMarker } from '../../engine/ownership/fence.ts';
import type { Race24h } from './race-24h.ts';

/**
 * Writes a generated race into stream RACE as a live engine would have left it: the owner's marker, then every input
 * and, right after the input that completed it, each lap the actor wrote back, all stamped with the owner's lease
 * epoch (engine/ownership/fence.ts) so a later owner's fold admits them. Publishes are pipelined (`window` in flight
 * on one connection, which keeps their order).
 *
 * Returns the RACE sequence of each input (for a snapshot's `streamSeq`) and the stream's last sequence.
 */
export async function writeRaceStream(nc: NatsConnection, race: Race24h, epoch: number, window = 2000): Promise<{ inputSeqs: number[]; lastSeq: number; messages: number }> {
  const js = jetstream(nc);
  const { track, session } = race.ref;
  const marker: OwnerMarker = { atUs: race.inputs[0]?.atUs ?? 0, lease: epoch, node: 'bench-live' };
  await js.publish(subjects.timing(track, session, 'owner'), JSON.stringify(marker));
  const inputSeqs: number[] = new Array(race.inputs.length);
  let inFlight: Promise<unknown>[] = [];
  let messages = 1;
  const send = async (subject: string, payload: object, msgID?: string, onSeq?: (seq: number) => void) => {
    messages++;
    inFlight.push(js.publish(subject, JSON.stringify({ ...payload, lease: epoch }), msgID ? { msgID } : undefined).then((ack) => onSeq?.(ack.seq)));
    if (inFlight.length >= window) {
      await Promise.all(inFlight);
      inFlight = [];
    }
  };
  let next = 0;
  for (const [i, input] of race.inputs.entries()) {
    await send(subjects.timing(track, session, timingKindOf(input.kind)), input, undefined, (seq) => (inputSeqs[i] = seq));
    for (; next < race.laps.length && race.laps[next]!.afterInput === i; next++) {
      const { lap } = race.laps[next]!;
      await send(subjects.timing(track, session, 'lap'), lap, lapMsgId(lap)); // as the host writes it (session-host.ts)
    }
  }
  await Promise.all(inFlight);
  const info = await (await jetstreamManager(nc)).streams.info('RACE');
  return { inputSeqs, lastSeq: info.state.last_seq, messages };
}
