import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { AuditRecord } from '../../actors/contracts/race-control.ts';
import { subjects } from '../../actors/contracts/subjects.ts';
import { withoutLease } from '../../engine/ownership/fence.ts';
import type { SessionRef } from '../protocol.ts';

/**
 * A session's race-control audit, oldest first: every command its engine decided (accepted or refused, why), read
 * from stream RACE (`timing.<track>.<session>.audit`) with a short-lived ordered consumer. After the stream's max_age
 * the records remain in ClickHouse `race_events` (kind `audit`, docs/analytics.md).
 */
export async function readAudit(nc: NatsConnection, ref: SessionRef, opts: { limit: number; timeoutMs: number }): Promise<AuditRecord[]> {
  const subject = subjects.timing(ref.track, ref.session, 'audit');
  const info = await (await jetstreamManager(nc)).streams.info('RACE', { subjects_filter: subject });
  const total = Object.values(info.state.subjects ?? {}).reduce((a, b) => a + b, 0);
  if (total === 0) return [];
  const wanted = Math.min(total, opts.limit);
  const consumer = await jetstream(nc).consumers.get('RACE', {
    filter_subjects: subject as unknown as string[], // a single filter_subject on nats-server 2.9
    deliver_policy: DeliverPolicy.All,
  });
  const records: AuditRecord[] = [];
  try {
    // The latest `limit` records: skip the older ones.
    for (let seen = 0; seen < total; ) {
      const batch = await consumer.fetch({ max_messages: Math.min(1000, total - seen), expires: opts.timeoutMs });
      let got = 0;
      for await (const msg of batch) {
        got++;
        if (++seen > total - wanted) records.push(withoutLease(msg.json<AuditRecord>())); // the writer's lease epoch is the fence's business
      }
      if (got === 0) break;
    }
  } finally {
    await consumer.delete().catch(() => undefined);
  }
  return records;
}
