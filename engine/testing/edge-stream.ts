import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

/** Every message stream EDGE holds on `subject` (no wildcards), in stream order, parsed, with its JetStream message id. */
export async function readEdgeMessages(nc: NatsConnection, subject: string): Promise<{ data: unknown; msgId: string | undefined; seq: number }[]> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info('EDGE', { subjects_filter: subject });
  const total = info.state.subjects?.[subject] ?? 0;
  const consumer = await jetstream(nc).consumers.get('EDGE', {
    filter_subjects: subject as unknown as string[], // a single filter_subject on nats-server 2.9
    deliver_policy: DeliverPolicy.All,
  });
  const out: { data: unknown; msgId: string | undefined; seq: number }[] = [];
  while (out.length < total) {
    const batch = await consumer.fetch({ max_messages: Math.min(1000, total - out.length), expires: 2000 });
    for await (const m of batch) out.push({ data: m.json(), msgId: m.headers?.get('Nats-Msg-Id'), seq: m.seq });
  }
  await consumer.delete().catch(() => undefined);
  return out;
}
