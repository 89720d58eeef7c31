import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Registry } from 'prom-client';
import t from 'tap';
import { lapMsgId, type LapEvent } from '../actors/contracts/events.ts';
import { subjects } from '../actors/contracts/subjects.ts';
import type { ClickHouseHttp } from './clickhouse/http.ts';
import { ensureSchema } from './clickhouse/schema.ts';
import { LAP_SINK_CONSUMER, startLapSink } from './lap-sink.ts';
import { useTestClickHouse } from './testing/clickhouse.ts';
import { startTestNats } from './testing/nats.ts';
import { waitFor } from './testing/wait.ts';

// The batching contract of the sinks (engine/batch-sink.ts), through the lap sink: inserts of at most `batch` rows,
// one at a time, a batch that never fills inserted anyway, every lap once, every message acked. (How fast: bench/system/lap-sink.ts.)
const lap = (session: string, car: number, n: number): LapEvent => ({
  kind: 'lap', track: 'park', event: 'meeting', session, car: String(car), class: 'gt3', lap: n,
  lapUs: 90_000_000, raceUs: n * 90_000_000, atUs: 1_750_000_000_000_000 + n * 90_000_000 + car, position: car, flag: 'green', pit: false,
});

t.test('inserts of at most `batch` rows, one at a time; a batch that never fills is inserted anyway; every lap once, all acked', async (t) => {
  const nats = await startTestNats(t);
  const ch = await useTestClickHouse(t);
  await ensureSchema(ch);
  const sizes: number[] = [];
  let active = 0;
  let mostAtOnce = 0;
  const recording: ClickHouseHttp = {
    ...ch,
    async insert(table, rows) {
      active += 1;
      mostAtOnce = Math.max(mostAtOnce, active);
      try {
        await ch.insert(table, rows);
        sizes.push(rows.length);
      } finally {
        active -= 1;
      }
    },
  };
  const nc = await nats.connectAs('engine');
  const js = jetstream(nc);
  const publish = (l: LapEvent) => js.publish(subjects.timing(l.track, l.session, 'lap'), JSON.stringify(l), { msgID: lapMsgId(l) });
  for (let i = 0; i < 25; i++) await publish(lap('race-1', (i % 5) + 1, Math.floor(i / 5) + 1));
  const sink = await startLapSink({ nc, clickhouse: recording, registry: new Registry(), log: (l) => t.comment(l) }, { batch: 10, maxWaitMs: 50 });
  t.teardown(() => sink.stop());
  await waitFor('25 laps inserted', () => sink.inserted() >= 25);
  t.ok(sizes.every((n) => n <= 10), `insert sizes ${sizes.join(', ')}`);
  t.equal(mostAtOnce, 1, 'one insert at a time');

  await publish(lap('race-1', 9, 1)); // a lone lap: its batch never fills
  await waitFor('the lone lap inserted', () => sink.inserted() >= 26);
  const [row] = await ch.rows<{ n: string; uniq: string }>(`SELECT count() AS n, uniqExact(car, lap) AS uniq FROM laps WHERE session = 'race-1'`);
  t.same(row, { n: '26', uniq: '26' }, 'every lap once');
  const jsm = await jetstreamManager(nc);
  await waitFor('every message acked', async () => {
    const info = await jsm.consumers.info('RACE', LAP_SINK_CONSUMER);
    return info.num_pending === 0 && info.num_ack_pending === 0;
  });
  t.pass('nothing pending or unacked');
});
