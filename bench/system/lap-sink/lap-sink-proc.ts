import { connect } from '@nats-io/transport-node';
import { Registry } from 'prom-client';
import type { BatchSink } from '../../../engine/batch-sink.ts';
import { createClickHouseHttp, type ClickHouseConfig, type ClickHouseHttp } from '../../../engine/clickhouse/http.ts';
import { startLapSink } from '../../../engine/lap-sink.ts';
import { startRaceArchive } from '../../../engine/race-archive.ts';
import { wallUs } from '../../fanout/clock.ts';

/**
 * The lap sink in a process of its own, as the engine runs it: the real `startLapSink` on one NATS connection, and
 * with BENCH_ARCHIVE=1 the real RACE archive beside it on the same connection and ClickHouse client (the engine
 * process runs both, engine/engine-services.ts). The only addition is a recording wrapper around the ClickHouse
 * client, so the scenario can split a lap's lag into stages: each insert's table, rows, start and end (µs, wall
 * clock). The sink acknowledges a batch's messages synchronously right after its insert resolves
 * (engine/batch-sink.ts), so an insert's end is its laps' ack time.
 *
 * BENCH_BATCH sets the lap sink's batch size (a round that tries another size); unset, the engine's default.
 *
 * IPC: sends `ready`; answers `stats` with `{inserted, archived, inserts}` (and forgets the inserts it sent);
 * `stop` stops the sinks and exits.
 */
export interface InsertRecord {
  table: string;
  rows: number;
  startUs: number;
  endUs: number;
  /** `session/car/lap` of each lap row of a session named `timed-*` (the laps whose lag is measured one by one). */
  burstLaps?: string[];
}

export interface SinkStats {
  type: 'stats';
  inserted: number;
  archived: number;
  inserts: InsertRecord[];
}

function recording(ch: ClickHouseHttp, log: InsertRecord[]): ClickHouseHttp {
  return {
    ...ch,
    async insert(table, rows) {
      const startUs = wallUs();
      await ch.insert(table, rows);
      const record: InsertRecord = { table, rows: rows.length, startUs, endUs: wallUs() };
      if (table === 'laps') {
        const burst = (rows as { session: string; car: string; lap: number }[]).filter((r) => r.session.startsWith('timed-'));
        if (burst.length) record.burstLaps = burst.map((r) => `${r.session}/${r.car}/${r.lap}`);
      }
      log.push(record);
    },
  };
}

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`lap-sink-proc: ${name} not set`);
  return value;
};

const inserts: InsertRecord[] = [];
const nc = await connect({ servers: env('BENCH_NATS_URL'), user: env('BENCH_NATS_USER'), pass: env('BENCH_NATS_PASS'), name: 'bench lap sink' });
const clickhouse = recording(createClickHouseHttp(JSON.parse(env('BENCH_CLICKHOUSE')) as ClickHouseConfig), inserts);
const deps = { nc, clickhouse, registry: new Registry(), log: (line: string) => process.stderr.write(`lap-sink-proc: ${line}\n`) };
const batch = process.env.BENCH_BATCH ? Number(process.env.BENCH_BATCH) : undefined; // undefined: the engine's default
const sinks: BatchSink[] = [await startLapSink(deps, { batch })];
if (process.env.BENCH_ARCHIVE === '1') sinks.push(await startRaceArchive(deps));

process.on('message', (m: { type: string }) => {
  if (m.type === 'stats') {
    const stats: SinkStats = { type: 'stats', inserted: sinks[0]!.inserted(), archived: sinks[1]?.inserted() ?? 0, inserts: inserts.splice(0) };
    process.send?.(stats);
  } else if (m.type === 'stop') {
    void Promise.all(sinks.map((s) => s.stop()))
      .then(() => nc.close())
      .finally(() => process.exit(0));
  }
});
process.send?.({ type: 'ready' });
