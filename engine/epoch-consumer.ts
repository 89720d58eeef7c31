import { AckPolicy, DeliverPolicy, type ConsumerInfo, type JetStreamManager } from '@nats-io/jetstream';

/**
 * A durable consumer on EDGE for one holder of the `_ingest` lease: `<prefix>-<epoch>`, made anew from the first
 * message the previous holder's consumer left unacknowledged, which is then deleted (so a paused former holder can no
 * longer pull). A restarted durable consumer would deliver new messages at once and the unacknowledged ones only
 * after their ack wait — out of order. What the previous holder already wrote is dropped downstream by message id.
 */
export async function takeOverEdgeConsumer(jsm: JetStreamManager, opts: { prefix: string; epoch: number; filterSubject: string }): Promise<string> {
  const name = `${opts.prefix}-${opts.epoch}`;
  const previous: ConsumerInfo[] = [];
  for await (const info of jsm.consumers.list('EDGE')) {
    if (info.name !== name && (info.name === opts.prefix || info.name.startsWith(`${opts.prefix}-`))) previous.push(info);
  }
  // The previous holder's consumer: the most recently created one (normally the only one).
  const [latest] = previous.sort((a, b) => Date.parse(b.created) - Date.parse(a.created));
  await jsm.consumers.add('EDGE', {
    durable_name: name,
    ack_policy: AckPolicy.Explicit,
    filter_subject: opts.filterSubject,
    ...(latest
      ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: latest.ack_floor.stream_seq + 1 }
      : { deliver_policy: DeliverPolicy.All }),
  });
  for (const old of previous) await jsm.consumers.delete('EDGE', old.name).catch(() => undefined);
  return name;
}
