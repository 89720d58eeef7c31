import fs from 'node:fs';
import path from 'node:path';
import { Kvm } from '@nats-io/kv';
import { Registry } from 'prom-client';
import t, { type Test } from 'tap';
import { foldSession } from '../../actors/session-actor.ts';
import { readDeclarationFile } from '../../engine/declarations/read.ts';
import { putDeclaration } from '../../engine/declarations/store.ts';
import { DEMO_EVENT_FILE } from '../../engine/demo.ts';
import { startEngine } from '../../engine/engine.ts';
import { scoreOutput } from '../../engine/score/output.ts';
import { scoreJsonlFile } from '../../engine/score/score-jsonl.ts';
import { runPitwall } from '../../engine/testing/cli.ts';
import { startTestNats, type TestNats } from '../../engine/testing/nats.ts';
import { readRaceEvents } from '../../engine/testing/race-events.ts';
import { waitFor } from '../../engine/testing/wait.ts';
import { createSimulator } from '../sim/simulator.ts';
import { writeSimJsonl } from './from-sim.ts';
import { readJsonl } from './read.ts';
import { createJsonlReplay, type JsonlReplaySummary } from './replay.ts';

const declared = readDeclarationFile(DEMO_EVENT_FILE);
const declaration = { ...declared, entries: declared.entries.slice(0, 8) };
const session = declaration.sessions.find((s) => s.id === 'race-2')!; // 20 laps
const { track } = declaration;
const startMs = 1_900_000_000_000;
const pace = { sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) };

/** A real engine on a test NATS with the declaration stored; resolves with its live standings once the session ended. */
async function withEngine(t: Test, play: (nats: TestNats) => Promise<unknown>) {
  const nats = await startTestNats(t);
  await putDeclaration(await new Kvm(await nats.connectAs('admin')).open('events'), declaration);
  const engineNc = await nats.connectAs('engine');
  const engine = await startEngine({ nc: engineNc, registry: new Registry(), log: (line: string) => t.comment(line) }, { node: 'test' });
  t.teardown(() => engine.stop());
  await play(nats);
  const host = await waitFor('the session actor', () => engine.session(track, session.id));
  const race = await waitFor('RACE to settle with the session finished', async () => {
    // Reading all of RACE is heavy: only once the actor has seen the finish.
    if (!['finishing', 'finished'].includes(host.published().view?.state ?? '')) return undefined;
    const events = await readRaceEvents(engineNc, track, session.id);
    return host.appliedStreamSeq() >= events.lastSeq && events.inputs.some((i) => i.kind === 'session' && i.verb === 'finish') ? events : undefined;
  });
  const view = foldSession(race.inputs, { track, event: declaration.event, session: session.id });
  await waitFor('the live view to catch up', () => JSON.stringify(host.published().view) === JSON.stringify(view));
  return scoreOutput([{ id: session.id, view }]);
}

const simFile = async (t: Test) => {
  const file = path.join(t.testdir(), 'race.jsonl');
  await writeSimJsonl(file, declaration, session, { cars: 8, seed: 3, openAtUs: startMs * 1000 });
  return file;
};

t.test('sim --out → pitwall score gives the standings of the same simulated race run live through the engine', async (t) => {
  const file = await simFile(t);
  const offline = scoreJsonlFile(file);
  t.equal(offline.stats.badLines, 0);
  t.equal(offline.output.sessions.length, 1);
  t.ok(offline.output.sessions[0]!.standings[0]!.laps >= 20, 'a whole race');

  const live = await withEngine(t, async (nats) => {
    const device = await nats.connectWith(await nats.server.addEdgeDevice(track, 'sim'));
    const sim = createSimulator({ nc: device, nowMs: () => startMs, ...pace }, { track, device: 'sim', declaration, session, cars: 8, speed: 'max', seed: 3 });
    await sim.done;
  });
  t.equal(JSON.stringify(offline.output), JSON.stringify(live), 'the same bytes, offline and live');

  const cli = await runPitwall(['score', file]);
  t.equal(cli.code, 0, cli.code ? cli.stderr : 'pitwall score exits 0');
  t.equal(cli.stdout.trim(), JSON.stringify(offline.output), 'pitwall score prints them, deterministic to the byte');
});

t.test('sim --out → replay-jsonl at max speed into a real engine → the standings of scoring the file offline', async (t) => {
  const file = await simFile(t);
  const records = readJsonl(fs.readFileSync(file, 'utf8')).records.map((r) => r.record);
  let summary: JsonlReplaySummary | undefined;
  const live = await withEngine(t, async (nats) => {
    const device = await nats.connectWith(await nats.server.addEdgeDevice(track, 'replay'));
    summary = await createJsonlReplay({ nc: device, nowMs: Date.now, ...pace }, records, { track, device: 'replay', speed: 'max' }).done;
  });
  t.match(summary, { skipped: {} });
  t.ok(summary!.passings > 8 * 15, `${summary!.passings} passings published`);
  t.equal(JSON.stringify(live), JSON.stringify(scoreJsonlFile(file).output), 'the same bytes, replayed and offline');
});

t.test('pitwall edge sim --out writes the file without NATS; replay-jsonl needs a file and says what it skips', async (t) => {
  const file = path.join(t.testdir(), 'cli.jsonl');
  const sim = await runPitwall(['edge', 'sim', '--event', DEMO_EVENT_FILE, '--cars', '5', '--seed', '2', '--out', file]);
  t.equal(sim.code, 0, sim.code ? sim.stderr : 'pitwall edge sim --out exits 0');
  t.match(sim.stdout, /5 cars, \d+ lines written/);
  const read = readJsonl(fs.readFileSync(file, 'utf8'));
  t.equal(read.errors.length, 0);
  t.equal(read.records[0]!.record.type, 'declaration', 'the declaration first');
  t.equal(scoreJsonlFile(file).output.sessions[0]!.standings.filter((r) => r.laps > 0).length, 5);
  const usage = await runPitwall(['edge', 'replay-jsonl']);
  t.equal(usage.code, 2);
  const help = await runPitwall(['edge', 'replay-jsonl', '--help']);
  t.match(help.stdout, /--apply/);
});
