import { Registry } from 'prom-client';
import t, { type Test } from 'tap';
import { createRmonitorAgent } from '../edge/rmonitor/agent.ts';
import { createReplayServer } from '../edge/rmonitor/replay-server.ts';
import { capturePath } from '../edge/rmonitor/testing/captures.ts';
import { startEngine } from './engine.ts';
import { scoreCaptureFile } from './score/score-file.ts';
import { startTestNats } from './testing/nats.ts';
import { waitFor } from './testing/wait.ts';

const TRACK = 'brands-hatch';
const DEVICE = 'orbits';

/** NATS and an engine for this test; the capture served at full speed to an RMonitor agent publishing to them. */
async function replayLive(t: Test, file: string, track: string) {
  const nats = await startTestNats(t);
  const registry = new Registry();
  const engine = await startEngine({ nc: await nats.connectAs('engine'), registry, log: (line) => t.comment(line) }, { node: 'test' });
  t.teardown(() => engine.stop());
  const replay = await createReplayServer({ file, port: 0, speed: 'max' });
  t.teardown(() => replay.stop());
  const agent = createRmonitorAgent({ nc: await nats.connectWith(await nats.server.addEdgeDevice(track, DEVICE)) }, {
    track, device: DEVICE, host: '127.0.0.1', port: replay.port, backoff: { initialMs: 20, maxMs: 200 },
  });
  t.teardown(() => agent.stop());
  return { engine, registry, agent };
}

t.test('a capture replayed live (replay server → agent → NATS → engine) ends with the standings pitwall score prints', async (t) => {
  const file = capturePath('bradfier/Orbits_Mock_Session.txt');
  const follow = (await scoreCaptureFile(file, { mode: 'follow' })).output.sessions;
  const independent = (await scoreCaptureFile(file)).output.sessions;
  t.equal(follow.length, 1, 'one session in the file');
  const expected = follow[0]!;
  const standings = (rows: { number: string; position: number; laps: number }[]) => rows.map((r) => `${r.position}:${r.number}:${r.laps}`);
  t.same(standings(independent[0]!.standings), standings(expected.standings), 'in this capture both modes end alike');

  const { engine, registry } = await replayLive(t, file, TRACK);

  const host = await waitFor(`session ${expected.id} running in the engine`, () => engine.session(TRACK, expected.id));
  const view = await waitFor('the live view ends with the offline standings', () => {
    const v = host.published().view;
    return v && JSON.stringify(standings(v.rows)) === JSON.stringify(standings(expected.standings)) && v.state !== 'running' ? v : undefined;
  }, 60_000);
  t.match(view, { track: TRACK, event: DEVICE, session: 'run-25', name: 'Test Race' });
  t.same(view.rows.map((r) => r.bestLapUs === undefined ? null : Math.round(r.bestLapUs / 1000)), expected.standings.map((r) => r.bestLapMs), 'best laps too');

  const metric = async (name: string, labels: string) =>
    Number(new RegExp(`^${name}\\{${labels}\\} (\\d+)$`, 'm').exec(await registry.metrics())?.[1] ?? 0);
  // The whole file's $G rows, as pitwall score --report counts them (docs/scoring-accuracy.md): 68, all agreeing.
  await waitFor('every $G row compared', async () => (await metric('pitwall_rmonitor_rows_compared_total', 'board="race"')) === 68);
  t.equal(await metric('pitwall_rmonitor_disagreements_total', 'board="race",cause="rule"'), 0, 'no rule disagreement');
  const best = await metric('pitwall_rmonitor_rows_compared_total', 'board="best"');
  const lagged = await metric('pitwall_rmonitor_disagreements_total', 'board="best",cause="lag"');
  t.same([best, lagged], [61, 1], '$H: 61 rows, one lagging (as the report counts)');
  // The view shows the same counts, with the feed's last heartbeat.
  const shown = await waitFor('the agreement in the view', () => {
    const v = host.published().view;
    return v?.programRows === 68 + 61 ? v : undefined;
  });
  t.match(shown, { programRows: 129, programDisagreements: 1, programRuleDisagreements: 0 });
});

t.test('a 2025 capture (76 cars, joined mid-race) replayed live ends with the standings pitwall score --mode follow prints', async (t) => {
  // The live view follows the program; independent scoring differs from it at P60/P61 here (docs/scoring-accuracy.md).
  const file = capturePath('redmist/TestGap.txt');
  const [expected] = (await scoreCaptureFile(file, { mode: 'follow' })).output.sessions;
  const standings = (rows: { number: string; position: number; laps: number }[]) => rows.map((r) => `${r.position}:${r.number}:${r.laps}`);

  const { engine, agent } = await replayLive(t, file, 'cota');
  await waitFor('every line acked', () => agent.health().ackedSeq === 2136, 120_000);
  const host = await waitFor(`session ${expected!.id}`, () => engine.session('cota', expected!.id));
  await waitFor('the live view ends with the offline standings', () => {
    const v = host.published().view;
    return v && JSON.stringify(standings(v.rows)) === JSON.stringify(standings(expected!.standings));
  }, 120_000);
  t.pass(`${expected!.standings.length} cars in the same order with the same laps`);
});
