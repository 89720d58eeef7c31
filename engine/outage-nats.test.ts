import path from 'node:path';
import t from 'tap';
import type { EdgeAgentHealth } from '../actors/contracts/edge-health.ts';
import { subjects } from '../actors/contracts/subjects.ts';
import { inspectOutbox } from '../edge/outbox/disk-outbox.ts';
import { ensureSchema } from './clickhouse/schema.ts';
import { canonicalJson } from './testing/canonical-json.ts';
import { startPitwall } from './testing/cli.ts';
import { useTestClickHouse } from './testing/clickhouse.ts';
import { readEdgeMessages } from './testing/edge-stream.ts';
import { shareTestStack, startEngineProcess } from './testing/engine-process.ts';
import { startTestNats } from './testing/nats.ts';
import { readRaceEvents } from './testing/race-events.ts';
import { declareSimRace, sessionOpenedAtUs, simArgs, standings } from './testing/sim-race.ts';
import { waitFor } from './testing/wait.ts';

const OUTAGE_MS = 30_000;

t.test('nats-server stopped for 30 s mid-race while the simulator keeps producing: every passing counted once, at its time', async (t) => {
  const nats = await startTestNats(t);
  const ch = await useTestClickHouse(t);
  await ensureSchema(ch);
  shareTestStack(nats, ch);
  const race = await declareSimRace(await nats.connectAs('admin'), nats.dataDir, { cars: 10, seed: 5 });
  const { track } = race;
  const session = race.session.id;
  const engine = await startEngineProcess(t, nats.dataDir, 'outage');

  // The real agent process, with its outbox on disk.
  const outbox = path.join(nats.dataDir, 'sim-outbox');
  const sim = startPitwall(simArgs(race, nats.dataDir, outbox, 45));
  t.teardown(() => sim.child.kill('SIGKILL'));
  let gateway = await nats.connectAs('gateway');
  await waitFor('the leader at lap 3', async () => ((await standings(gateway, track, session))?.rows[0]?.laps ?? 0) >= 3, 60_000);

  await nats.stop();
  const stoppedAt = Date.now();
  const pendingDuring: number[] = [];
  await waitFor(`${OUTAGE_MS / 1000} s of outage`, () => {
    pendingDuring.push(inspectOutbox(outbox).pending);
    return Date.now() - stoppedAt >= OUTAGE_MS;
  }, OUTAGE_MS + 10_000);
  const heldAtMost = Math.max(...pendingDuring);
  t.ok(heldAtMost > 100, `the simulator kept producing into its outbox during the outage (up to ${heldAtMost} readings held)`);
  t.ok(pendingDuring.at(-1)! >= pendingDuring[0]!, 'the outbox only grew while NATS was away');

  await nats.restart();
  gateway = await nats.connectAs('gateway');
  t.equal(await sim.exited, 0, `the simulator delivered everything and ended: ${sim.stdout().trim().split('\n').at(-1)}`);
  t.equal(inspectOutbox(outbox).pending, 0, 'its outbox is empty');

  const engineNc = await nats.connectAs('engine');
  const openAtUs = await waitFor('the session open in RACE', () => sessionOpenedAtUs(engineNc, track, session));
  const expected = race.expectedView(openAtUs);
  const final = await waitFor('the standings of the simulated race', async () => {
    const view = await standings(gateway, track, session);
    return view && canonicalJson(view) === canonicalJson(expected) ? view : undefined;
  }, 60_000).catch(async (err: Error) => {
    const view = await standings(gateway, track, session);
    t.comment(`engine said:\n${engine.stderr().slice(-3000)}`);
    t.comment(`live: state ${view?.state} leader laps ${view?.rows[0]?.laps}; expected: state ${expected.state} leader laps ${expected.rows[0]?.laps}`);
    throw err;
  });
  t.equal(final.state, 'finished');
  t.ok(final.rows[0]!.laps >= 20, 'the race ran to the end');

  // Each passing reached RACE once, with the crossing time the simulator gave it.
  const { inputs } = await readRaceEvents(engineNc, track, session);
  const passings = inputs.filter((i) => i.kind === 'passing');
  const ids = new Set(passings.map((p) => (p.kind === 'passing' ? `${p.reading.boot}:${p.reading.seq}` : '')));
  t.equal(ids.size, passings.length, `${passings.length} passings in RACE, none twice`);
  const expectedLaps = expected.rows.reduce((n, r) => n + r.laps, 0);
  t.equal(final.rows.reduce((n, r) => n + r.laps, 0), expectedLaps, `${expectedLaps} laps, as the simulator drove them`);

  // The agent said so, in its log and in its health.
  t.match(sim.stderr(), /JetStream unreachable .*readings are kept/, 'the agent logged the outage');
  t.match(sim.stderr(), /publishing again after \d+ ms/, 'and the recovery');
  const healths = (await readEdgeMessages(engineNc, subjects.edge(track, 'sim', 'health'))).map((m) => m.data as EdgeAgentHealth);
  t.match(healths.at(-1), { agent: 'sim', outbox: { durable: true, pending: 0, connected: true }, clock: { steps: 0 } }, 'its last health report: all delivered');
  t.ok(healths.at(-1)!.outbox.outages >= 1, 'and counts the outage');

  engine.child.kill('SIGTERM');
  t.equal(await engine.exited, 0, 'the engine rode out the outage and stops cleanly');
});
