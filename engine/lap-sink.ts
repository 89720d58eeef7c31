import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Registry } from 'prom-client';
import type { LapEvent } from '../actors/contracts/events.ts';
import type { ClickHouseHttp } from './clickhouse/http.ts';
import { counter, inputErrors } from './metrics.ts';

/**
 * The lap sink: a durable consumer on RACE (`timing.*.*.lap`) that inserts laps into ClickHouse in batches and
 * acknowledges a batch only after ClickHouse took it. While ClickHouse is down it retries the same batch with
 * backoff; nothing is acknowledged that was not inserted. A batch inserted twice is harmless (ReplacingMergeTree).
 */
export const LAP_SINK_CONSUMER = 'lap-sink';

export interface LapSink {
  /** Laps inserted so far. */
  inserted(): number;
  stop(): Promise<void>;
}

export async function startLapSink(
  deps: { nc: NatsConnection; clickhouse: ClickHouseHttp; registry: Registry; log: (line: string) => void },
  opts: { batch?: number; maxWaitMs?: number } = {},
): Promise<LapSink> {
  const errors = inputErrors(deps.registry);
  const insertedTotal = counter(deps.registry, 'pitwall_laps_inserted_total', 'Laps inserted into ClickHouse');
  const jsm = await jetstreamManager(deps.nc);
  await jsm.consumers.add('RACE', {
    durable_name: LAP_SINK_CONSUMER,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: 'timing.*.*.lap',
    ack_wait: 30_000_000_000,
  });
  const consumer = await jetstream(deps.nc).consumers.get('RACE', LAP_SINK_CONSUMER);
  let inserted = 0;
  let stopping = false;

  const toRow = (lap: LapEvent) => ({
    track: lap.track,
    event: lap.event,
    session: lap.session,
    car: lap.car,
    class: lap.class,
    lap: lap.lap,
    lap_us: lap.lapUs,
    race_us: lap.raceUs,
    crossing_us: lap.atUs,
    crossing_time: new Date(Math.floor(lap.atUs / 1000)).toISOString().slice(0, 19).replace('T', ' '),
    position: lap.position,
    flag: lap.flag,
    pit: lap.pit ? 1 : 0,
  });

  async function insertBatch(msgs: JsMsg[]): Promise<void> {
    const rows: object[] = [];
    for (const msg of msgs) {
      try {
        rows.push(toRow(msg.json<LapEvent>()));
      } catch {
        errors.inc({ kind: 'bad_lap_event' });
        deps.log(`lap-sink: undecodable lap at RACE seq ${msg.seq}: skipped`);
      }
    }
    for (let attempt = 0; ; attempt++) {
      try {
        await deps.clickhouse.insert('laps', rows);
        break;
      } catch (err) {
        if (stopping) throw err;
        if (attempt === 0) deps.log(`lap-sink: ${(err as Error).message}; retrying`);
        msgs.forEach((m) => m.working());
        await new Promise((r) => setTimeout(r, Math.min(10_000, 200 * 2 ** attempt)));
      }
    }
    msgs.forEach((m) => m.ack());
    inserted += rows.length;
    insertedTotal.inc(rows.length);
  }

  const loop = (async () => {
    while (!stopping) {
      const batch: JsMsg[] = [];
      try {
        // JetStream wants a pull to wait at least 1 s.
        const fetched = await consumer.fetch({ max_messages: opts.batch ?? 500, expires: Math.max(1000, opts.maxWaitMs ?? 1000) });
        for await (const msg of fetched) batch.push(msg);
      } catch (err) {
        deps.log(`lap-sink: fetching from RACE: ${(err as Error).message}; retrying`);
        await new Promise((r) => setTimeout(r, 1000));
      }
      if (batch.length > 0) await insertBatch(batch).catch(() => undefined); // throws only when stopping
    }
  })();

  return {
    inserted: () => inserted,
    async stop() {
      stopping = true;
      await loop;
    },
  };
}
