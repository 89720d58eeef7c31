import { Kvm } from '@nats-io/kv';
import { Registry } from 'prom-client';
import t from 'tap';
import WebSocket from 'ws';
import { foldSession } from '../actors/session-actor.ts';
import { createSimulator } from '../edge/sim/simulator.ts';
import { createTimingClient, type WebSocketConstructor } from '../gateway/client/index.ts';
import { createGateway } from '../gateway/server.ts';
import { ensureSchema } from './clickhouse/schema.ts';
import { readDeclarationFile } from './declarations/read.ts';
import { putDeclaration } from './declarations/store.ts';
import { DEMO_EVENT_FILE } from './demo.ts';
import { readArchivedInputs } from './race-archive.ts';
import { canonicalJson } from './testing/canonical-json.ts';
import { runPitwall } from './testing/cli.ts';
import { shareTestStack, startEngineProcess } from './testing/engine-process.ts';
import { scoreOutput } from './score/output.ts';
import { useTestClickHouse } from './testing/clickhouse.ts';
import { startTestNats } from './testing/nats.ts';
import { readRaceEvents } from './testing/race-events.ts';
import { waitFor } from './testing/wait.ts';

t.test('kill -9 of the engine mid-race: same standings, spectators resync once, one row per lap, archive rebuild', async (t) => {
  const nats = await startTestNats(t);
  const ch = await useTestClickHouse(t);
  await ensureSchema(ch);
  const dataDir = shareTestStack(nats, ch);

  const declared = readDeclarationFile(DEMO_EVENT_FILE);
  const declaration = { ...declared, entries: declared.entries.slice(0, 10) };
  const session = declaration.sessions.find((s) => s.id === 'race-2')!;
  const { track } = declaration;
  await putDeclaration(await new Kvm(await nats.connectAs('admin')).open('events'), declaration);

  const startEngine = () => startEngineProcess(t, dataDir, 'recovery');
  let engine = await startEngine();
  const gateway = await createGateway({ nc: await nats.connectAs('gateway'), registry: new Registry(), log: (l) => t.comment(l) }, { host: '127.0.0.1', port: 0 });
  t.teardown(() => gateway.stop());

  const device = await nats.connectWith(await nats.server.addEdgeDevice(track, 'sim'));
  const sim = createSimulator(
    { nc: device, nowMs: Date.now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
    { track, device: 'sim', declaration, session, cars: 10, speed: 150, seed: 9 },
  );
  t.teardown(() => sim.stop());

  const seqs: number[] = [];
  const client = createTimingClient({
    url: `ws://127.0.0.1:${gateway.port}/ws`,
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    onView: (_track, _session, _view, seq) => seqs.push(seq),
  });
  t.teardown(() => client.close());
  await waitFor('the session to run', async () => {
    // Until the engine runs the new session the gateway answers unknown_session, and the client stays refused: ask anew.
    client.unsubscribe(track, session.id);
    client.subscribe(track, session.id);
    return waitFor('a view', () => client.view(track, session.id), 1000).catch(() => undefined);
  }, 60_000).catch((err: Error) => {
    t.comment(`engine said:\n${engine.stderr()}`);
    throw err;
  });

  // Mid-race, the engine dies without warning.
  await waitFor('the leader at lap 6', () => (client.view(track, session.id)?.rows[0]?.laps ?? 0) >= 6, 60_000);
  engine.child.kill('SIGKILL');
  await engine.exited;
  const seqAtKill = seqs.at(-1)!;
  engine = await startEngine();

  const restoredLog = await waitFor('the restore in the JSON log', () =>
    engine.stderr().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => /restored/.test(String(l.msg))),
  );
  t.match(restoredLog, { level: 'info', service: 'engine recovery', track, session: session.id }, 'structured log lines carry the session');
  await sim.done;
  const race = await waitFor('RACE to hold the finished session', async () => {
    const events = await readRaceEvents(await nats.connectAs('engine'), track, session.id);
    return events.inputs.some((i) => i.kind === 'session' && i.verb === 'finish') ? events : undefined;
  });
  const uninterrupted = foldSession(race.inputs, { track, event: declaration.event, session: session.id });
  const final = await waitFor(
    'the spectator to reach the final standings',
    () => {
      const view = client.view(track, session.id);
      return canonicalJson(view) === canonicalJson(uninterrupted) ? view : undefined;
    },
    60_000,
  ).catch((err: Error) => {
    const view = client.view(track, session.id);
    t.comment(`engine said:\n${engine.stderr()}`);
    t.comment(`client seq ${client.seq(track, session.id)} state ${view?.state} leader laps ${view?.rows[0]?.laps}; offline state ${uninterrupted.state} leader laps ${uninterrupted.rows[0]?.laps}`);
    t.comment(JSON.stringify(view).slice(0, 600));
    t.comment(JSON.stringify(uninterrupted).slice(0, 600));
    throw err;
  });
  t.equal(canonicalJson(final), canonicalJson(uninterrupted), 'byte for byte (keys sorted) the standings of an uninterrupted run');
  t.equal(final.state, 'finished');
  t.ok(final.rows[0]!.laps >= 20, `the winner did all ${final.rows[0]!.laps} laps: no passing lost in the outage`);

  const jumps = seqs.filter((s, i) => i > 0 && s !== seqs[i - 1]! + 1);
  t.ok(seqs.every((s, i) => i === 0 || s > seqs[i - 1]!), 'seq only goes forward');
  t.equal(jumps.length, 1, `one resync after the restart (seq ${seqAtKill} → ${jumps[0]})`);
  t.ok(jumps[0]! > seqAtKill, 'the snapshot after the restart has a later seq');

  const lapsCounted = uninterrupted.rows.reduce((sum, r) => sum + r.laps, 0);
  await waitFor('every lap in ClickHouse', async () => {
    const [row] = await ch.rows<{ n: string }>(`SELECT count() AS n FROM laps FINAL WHERE session = '${session.id}'`);
    return Number(row?.n) === lapsCounted;
  }, 30_000);
  const [dup] = await ch.rows<{ n: string }>(`SELECT count() AS n FROM (SELECT car, lap FROM laps FINAL WHERE session = '${session.id}' GROUP BY car, lap HAVING count() > 1)`);
  t.equal(Number(dup?.n), 0, 'exactly one row per lap');

  // The archive holds every RACE event: a rebuild from it equals the live result.
  const raceTotal = race.inputs.length + race.laps.length;
  await waitFor('the archive to hold the session', async () => {
    const [row] = await ch.rows<{ n: string }>(`SELECT count() AS n FROM race_events FINAL WHERE session = '${session.id}'`);
    return Number(row?.n) >= raceTotal;
  }, 30_000);
  const rebuilt = foldSession(await readArchivedInputs(ch, track, session.id), { track, event: declaration.event, session: session.id });
  t.equal(canonicalJson(rebuilt), canonicalJson(final), 'the session rebuilt from the ClickHouse archive equals the live result');

  const cli = await runPitwall(['session', 'rebuild', track, session.id, '--from-archive', '--data-dir', dataDir]);
  t.equal(cli.code, 0, cli.stderr);
  t.same(JSON.parse(cli.stdout), scoreOutput([{ id: session.id, view: final }]), 'pitwall session rebuild prints the live result');

  engine.child.kill('SIGTERM');
  t.equal(await engine.exited, 0, 'SIGTERM stops the engine gracefully');
});
