import { Registry } from 'prom-client';
import t from 'tap';
import { createSimulator } from '../edge/sim/simulator.ts';
import type { ClickHouseHttp } from './clickhouse/http.ts';
import { ensureSchema } from './clickhouse/schema.ts';
import { startEngine } from './engine.ts';
import { startLapSink } from './lap-sink.ts';
import { startRaceArchive } from './race-archive.ts';
import { startOwnClickHouse } from './testing/clickhouse.ts';
import { startTestNats } from './testing/nats.ts';
import { readRaceEvents } from './testing/race-events.ts';
import { declareSimRace, standings } from './testing/sim-race.ts';
import { waitFor } from './testing/wait.ts';

const OUTAGE_MS = 60_000;

t.test('clickhouse-server stopped for 60 s mid-race: afterwards laps holds every lap, one row each', async (t) => {
  const nats = await startTestNats(t);
  const own = await startOwnClickHouse(t);
  await ensureSchema(own.ch);
  // The first insert that ClickHouse takes after the outage "loses" its answer, as when the connection drops just
  // after the commit: the sink must insert the batch again, and laps must still hold one row per lap.
  let outageOver = false;
  let lostAcks = 0;
  const clickhouse: ClickHouseHttp = {
    ...own.ch,
    async insert(table, rows) {
      await own.ch.insert(table, rows);
      if (outageOver && table === 'laps' && lostAcks === 0) {
        lostAcks += rows.length;
        throw new Error('connection reset after the insert (injected)');
      }
    },
  };
  const race = await declareSimRace(await nats.connectAs('admin'), nats.dataDir, { cars: 10, seed: 11 });
  const { track } = race;
  const session = race.session.id;
  const log = (line: string) => t.comment(line);
  const deps = { nc: await nats.connectAs('engine'), clickhouse, registry: new Registry(), log };
  const engine = await startEngine(deps, { node: 'ch-outage' });
  t.teardown(() => engine.stop());
  const lapSink = await startLapSink(deps, { maxWaitMs: 1000 });
  t.teardown(() => lapSink.stop());
  const archive = await startRaceArchive(deps, { maxWaitMs: 1000 });
  t.teardown(() => archive.stop());

  const sim = createSimulator(
    { nc: await nats.connectWith(await nats.server.addEdgeDevice(track, 'sim')), nowMs: Date.now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
    { track, device: 'sim', declaration: race.declaration, session: race.session, cars: race.cars, speed: 20, seed: race.seed },
  );
  t.teardown(() => sim.stop());
  const gateway = await nats.connectAs('gateway');
  const lapRows = async (final: boolean) =>
    Number((await own.ch.rows<{ n: string }>(`SELECT count() AS n FROM laps ${final ? 'FINAL' : ''} WHERE session = '${session}'`))[0]?.n);
  await waitFor('laps of lap 2 in ClickHouse', async () => (await lapRows(true)) >= race.cars * 2, 60_000);

  await own.kill();
  const killedAt = Date.now();
  const insertedAtKill = lapSink.inserted();
  await waitFor(`${OUTAGE_MS / 1000} s of outage`, () => Date.now() - killedAt >= OUTAGE_MS, OUTAGE_MS + 10_000);
  t.equal(lapSink.inserted(), insertedAtKill, 'nothing counted as inserted while ClickHouse was down');
  const during = await standings(gateway, track, session);
  t.ok((during?.rows[0]?.laps ?? 0) > 4, `the race went on meanwhile (leader at lap ${during?.rows[0]?.laps})`);
  outageOver = true;
  await own.restart();

  await sim.done;
  const final = await waitFor('the session finished', async () => {
    const view = await standings(gateway, track, session);
    return view?.state === 'finished' ? view : undefined;
  }, 60_000);
  const { laps } = await readRaceEvents(deps.nc, track, session);
  const counted = final.rows.reduce((n, r) => n + r.laps, 0);
  t.equal(laps.length, counted, `${counted} laps in the standings and in RACE`);
  await waitFor('every lap in ClickHouse', async () => (await lapRows(true)) === counted, 60_000);
  const [dup] = await own.ch.rows<{ n: string }>(`SELECT count() AS n FROM (SELECT car, lap FROM laps FINAL WHERE session = '${session}' GROUP BY car, lap HAVING count() > 1)`);
  t.equal(Number(dup?.n), 0, 'exactly one row per lap (FINAL)');
  const stored = await own.ch.rows<{ car: string; lap: number; lap_us: number }>(`SELECT car, lap, lap_us FROM laps FINAL WHERE session = '${session}' ORDER BY car, lap`);
  const sent = laps.map((l) => ({ car: l.car, lap: l.lap, lap_us: l.lapUs })).sort((a, b) => a.car.localeCompare(b.car) || a.lap - b.lap);
  t.same(stored.map((r) => ({ ...r, lap: Number(r.lap), lap_us: Number(r.lap_us) })), sent, 'each lap as the actor derived it');
  t.ok(lostAcks > 0, `${lostAcks} rows were inserted twice after a lost acknowledgement`);
  t.comment(`rows without FINAL: ${await lapRows(false)} (duplicates stay until ClickHouse merges them)`);
  await waitFor('the archive to hold the session', async () =>
    Number((await own.ch.rows<{ n: string }>(`SELECT count() AS n FROM race_events FINAL WHERE session = '${session}'`))[0]?.n) >= laps.length, 60_000);
});
