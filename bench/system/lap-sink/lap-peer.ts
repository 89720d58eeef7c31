import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { subjects } from '../../../actors/contracts/subjects.ts';
import { createClickHouseHttp, type ClickHouseConfig } from '../../../engine/clickhouse/http.ts';
import { lapRow } from '../../../engine/lap-sink.ts';
import { backlogLap, TRACK } from './lap-events.ts';
import { wallUs } from '../../fanout/clock.ts';

/**
 * The two peers of the lap sink, each doing half of its work with nothing else:
 * - `insert {session, count, batch}`: the same rows (`lapRow` of the same laps) inserted straight into ClickHouse
 *   `laps` with the engine's own client, in batches of the sink's size, one after another; no NATS.
 * - `read {session, count, batch, fromSeq}`: the same laps read from RACE by a new durable pull consumer of that session's
 *   laps from `fromSeq`, the backlog's first (so it does not skip earlier rounds; explicit ack, as the sink's) and acked one by one, `batch` read ahead; no ClickHouse.
 * The sink cannot beat the slower of the two. Each answers `done {seconds}`.
 */
const env = (name: string) => process.env[name] ?? '';
const clickhouse = createClickHouseHttp(JSON.parse(env('BENCH_CLICKHOUSE') || '{}') as ClickHouseConfig);
const nc = await connect({ servers: env('BENCH_NATS_URL'), user: env('BENCH_NATS_USER'), pass: env('BENCH_NATS_PASS'), name: 'bench lap peer' });

async function insert(session: string, count: number, batch: number, _fromSeq?: number): Promise<void> {
  for (let from = 0; from < count; from += batch) {
    const rows = [];
    for (let i = from; i < Math.min(count, from + batch); i++) rows.push(lapRow(backlogLap(session, i, wallUs())));
    await clickhouse.insert('laps', rows);
  }
}

async function read(session: string, count: number, batch: number, fromSeq: number): Promise<void> {
  const name = `bench-read-${session}`;
  await (await jetstreamManager(nc)).consumers.add('RACE', {
    durable_name: name, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: fromSeq, filter_subject: subjects.timing(TRACK, session, 'lap'),
  });
  const messages = await jetstream(nc).consumers.get('RACE', name).then((c) => c.consume({ max_messages: batch }));
  let n = 0;
  for await (const msg of messages) {
    msg.ack();
    if (++n >= count) break;
  }
  await nc.flush();
}

process.on('message', (m: { type: string; session: string; count: number; batch: number; fromSeq: number }) => {
  const work = m.type === 'insert' ? insert : m.type === 'read' ? read : undefined;
  if (!work) return;
  const t0 = performance.now();
  void work(m.session, m.count, m.batch, m.fromSeq).then(
    () => process.send?.({ type: 'done', seconds: (performance.now() - t0) / 1000 }),
    (err: Error) => process.send?.({ type: 'done', error: err.message }),
  );
});
process.send?.({ type: 'ready' });
