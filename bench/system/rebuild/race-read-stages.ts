import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { SessionInput } from '../../../actors/contracts/events.ts';
import { parseTimingSubject } from '../../../actors/contracts/subjects.ts';
import type { SessionRef } from '../../../actors/scoring/state.ts';
import { createSessionActor } from '../../../actors/session-actor.ts';
import { withoutLease } from '../../../engine/ownership/fence.ts';

/**
 * A rebuild from RACE taken apart into its stages, each timed on its own, to find which one a slow rebuild spends its
 * time in: (1) fetch — the host's consumer (same filter and `consume()`) draining the session's messages without
 * looking at them; (2) decode — `msg.json()` of each and the subject parsed; (3) fold — the actor over the decoded
 * inputs (laps and markers skipped, as the host does). The host does all three interleaved on one event loop, plus
 * the fence, the metrics and writing laps again; its total minus these three is that overhead.
 */
export interface StageTimes {
  fetchMs: number;
  decodeMs: number;
  foldMs: number;
  messages: number;
}

export async function timeStages(nc: NatsConnection, ref: SessionRef, lastSeq: number): Promise<StageTimes> {
  const js = jetstream(nc);
  const consumer = await js.consumers.get('RACE', {
    filter_subjects: `timing.${ref.track}.${ref.session}.>` as unknown as string[], // one filter_subject on nats-server 2.9
    deliver_policy: DeliverPolicy.All,
  });
  const raw: { subject: string; data: Uint8Array; json<T>(): T }[] = [];
  const t0 = performance.now();
  const messages = await consumer.consume();
  for await (const msg of messages) {
    raw.push(msg);
    if (msg.seq >= lastSeq) break;
  }
  const fetchMs = performance.now() - t0;
  await messages.close();

  const t1 = performance.now();
  const inputs: SessionInput[] = [];
  for (const msg of raw) {
    const kind = parseTimingSubject(msg.subject)?.kind;
    const payload = msg.json<object>();
    if (kind !== 'lap' && kind !== 'owner' && kind !== 'audit') inputs.push(withoutLease(payload) as SessionInput);
  }
  const decodeMs = performance.now() - t1;

  const t2 = performance.now();
  const actor = createSessionActor(ref, { publishLap: () => undefined });
  for (const input of inputs) actor.send(input);
  actor.stop();
  const foldMs = performance.now() - t2;
  return { fetchMs, decodeMs, foldMs, messages: raw.length };
}
