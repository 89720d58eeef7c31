import { createClickHouseHttp, type ClickHouseConfig } from '../../engine/clickhouse/http.ts';
import { lapRow } from '../../engine/lap-sink.ts';
import { backlogLap } from './lap-events.ts';
import { wallUs } from './wall-clock.ts';

/**
 * The peer of the lap sink: the same rows (`lapRow` of the same laps) inserted straight into ClickHouse `laps` with
 * the engine's own client, in batches of the sink's size, one insert after another: no NATS, no acknowledgements.
 * That is the ceiling the sink can approach. IPC: `insert {session, count, batch}` → `done {seconds}`.
 */
const clickhouse = createClickHouseHttp(JSON.parse(process.env.BENCH_CLICKHOUSE ?? '{}') as ClickHouseConfig);

process.on('message', (m: { type: string; session: string; count: number; batch: number }) => {
  if (m.type !== 'insert') return;
  void (async () => {
    const t0 = performance.now();
    for (let from = 0; from < m.count; from += m.batch) {
      const rows = [];
      for (let i = from; i < Math.min(m.count, from + m.batch); i++) rows.push(lapRow(backlogLap(m.session, i, wallUs())));
      await clickhouse.insert('laps', rows);
    }
    process.send?.({ type: 'done', seconds: (performance.now() - t0) / 1000 });
  })().catch((err: Error) => process.send?.({ type: 'done', error: err.message }));
});
process.send?.({ type: 'ready' });
