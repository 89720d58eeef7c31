import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { EdgeRmonMessage } from '../../../actors/contracts/rmonitor.ts';
import { subjects } from '../../../actors/contracts/subjects.ts';

/** Every `rmon` message stream EDGE holds for one device, in stream order, with its JetStream message id. */
export async function readRmonStream(nc: NatsConnection, track: string, device: string): Promise<{ msg: EdgeRmonMessage; msgId: string | undefined }[]> {
  const filter = subjects.edge(track, device, 'rmon');
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info('EDGE', { subjects_filter: filter });
  const total = info.state.subjects?.[filter] ?? 0;
  const consumer = await jetstream(nc).consumers.get('EDGE', {
    filter_subjects: filter as unknown as string[], // a single filter_subject on nats-server 2.9
    deliver_policy: DeliverPolicy.All,
  });
  const out: { msg: EdgeRmonMessage; msgId: string | undefined }[] = [];
  while (out.length < total) {
    const batch = await consumer.fetch({ max_messages: Math.min(1000, total - out.length), expires: 2000 });
    for await (const m of batch) out.push({ msg: m.json<EdgeRmonMessage>(), msgId: m.headers?.get('Nats-Msg-Id') });
  }
  await consumer.delete().catch(() => undefined);
  return out;
}

/** Polls `condition` until it holds; fails with `what` after `timeoutMs`. Waits on a condition, never a fixed time. */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
