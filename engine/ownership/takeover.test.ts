import { Kvm } from '@nats-io/kv';
import { Registry } from 'prom-client';
import t from 'tap';
import WebSocket from 'ws';
import { subjects } from '../../actors/contracts/subjects.ts';
import type { SessionView } from '../../actors/contracts/view.ts';
import { foldSession } from '../../actors/session-actor.ts';
import { createSimulator } from '../../edge/sim/simulator.ts';
import { createTimingClient, type TimingClient, type WebSocketConstructor } from '../../gateway/client/index.ts';
import { createGateway } from '../../gateway/server.ts';
import { ensureSchema } from '../clickhouse/schema.ts';
import { readDeclarationFile } from '../declarations/read.ts';
import { putDeclaration } from '../declarations/store.ts';
import { DEMO_EVENT_FILE } from '../demo.ts';
import type { EngineHealth } from '../engine.ts';
import { canonicalJson } from '../testing/canonical-json.ts';
import { useTestClickHouse } from '../testing/clickhouse.ts';
import type { RunningPitwall } from '../testing/cli.ts';
import { shareTestStack, startEngineProcess } from '../testing/engine-process.ts';
import { startTestNats } from '../testing/nats.ts';
import { readRaceEvents } from '../testing/race-events.ts';
import { waitFor } from '../testing/wait.ts';

/**
 * Several engines (each `pitwall engine` in a process of its own) and two gateways during one simulated race:
 * the owning engine is killed (SIGKILL) and its session moves; then the next owner is paused (SIGSTOP) for 15 s, the
 * session moves again, and when the paused engine resumes its late writes are fenced. Spectators on both gateways end
 * with the standings of an offline fold of RACE.
 */
const PAUSE_MS = 15_000;
const MOVE_WITHIN_MS = 10_000;

t.test('two engines, two gateways: a killed and a paused owner; the session moves, late writes are fenced, spectators converge', async (t) => {
  const nats = await startTestNats(t);
  const ch = await useTestClickHouse(t);
  await ensureSchema(ch);
  const dataDir = shareTestStack(nats, ch);
  // Race 2 of the demo meeting, 10 cars over 12 laps: at 40× about 30 s, long enough to be running during the pause.
  const declared = readDeclarationFile(DEMO_EVENT_FILE);
  const LAPS = 12;
  const declaration = {
    ...declared,
    sessions: declared.sessions.map((s) => (s.id === 'race-2' ? { ...s, finish: { laps: LAPS } } : s)),
    entries: declared.entries.slice(0, 10),
  };
  const session = declaration.sessions.find((s) => s.id === 'race-2')!;
  const { track } = declaration;
  const ref = { track, event: declaration.event, session: session.id };
  await putDeclaration(await new Kvm(await nats.connectAs('admin')).open('events'), declaration);

  // What the engines say about themselves, and who holds the session's lease.
  const observer = await nats.connectAs('admin');
  const health = new Map<string, EngineHealth>();
  const owners = await new Kvm(observer).open('session-owner');
  const holder = async () => (await owners.get(`${track}.${session.id}`))?.json<{ node: string }>()?.node;
  const engines = new Map<string, RunningPitwall>();
  const startEngine = async (node: string) => {
    observer.subscribe(subjects.engineHealth(node), {
      callback: (err, msg) => {
        if (!err) health.set(node, msg.json<EngineHealth>());
      },
    });
    engines.set(node, await startEngineProcess(t, dataDir, node));
  };
  const runs = (node: string) => () => health.get(node)?.sessions.some((s) => s.session === session.id) && Date.now() - health.get(node)!.atMs < 2000;
  const dump = () =>
    [...engines].map(([node, e]) => `engine ${node}:\n${e.stderr().split('\n').slice(-40).join('\n')}\nhealth: ${JSON.stringify(health.get(node))}`).join('\n');
  await startEngine('a');
  await startEngine('b');

  const clients: TimingClient[] = [];
  const seqs: number[][] = [];
  for (const name of ['one', 'two']) {
    const gateway = await createGateway({ nc: await nats.connectAs('gateway'), registry: new Registry(), log: (l) => t.comment(`gateway ${name}: ${l}`) }, { host: '127.0.0.1', port: 0 });
    t.teardown(() => gateway.stop());
    const seen: number[] = [];
    seqs.push(seen);
    const client = createTimingClient({
      url: `ws://127.0.0.1:${gateway.port}/ws`,
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      onView: (_track, _session, _view, seq) => seen.push(seq),
    });
    t.teardown(() => client.close());
    clients.push(client);
  }

  const device = await nats.connectWith(await nats.server.addEdgeDevice(track, 'sim'));
  const sim = createSimulator(
    { nc: device, nowMs: Date.now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
    { track, device: 'sim', declaration, session, cars: 10, speed: 40, seed: 19 },
  );
  t.teardown(() => sim.stop());
  const leaderLaps = (client: TimingClient) => client.view(track, session.id)?.rows[0]?.laps ?? 0;
  for (const client of clients) {
    await waitFor('the session on every gateway', async () => {
      // Until an engine runs the new session the gateway answers unknown_session, and the client stays refused: ask anew.
      client.unsubscribe(track, session.id);
      client.subscribe(track, session.id);
      return waitFor('a view', () => client.view(track, session.id), 1000).catch(() => undefined);
    }, 60_000).catch((err: Error) => {
      t.comment(dump());
      throw err;
    });
  }

  // 1. The owner dies without warning: the other engine takes the session and rebuilds it.
  await waitFor('the leader at lap 2', () => leaderLaps(clients[0]!) >= 2, 60_000);
  const first = (await holder())!;
  const second = first === 'a' ? 'b' : 'a';
  t.ok(runs(first)(), `engine ${first} owns and runs the session`);
  const killedAt = Date.now();
  engines.get(first)!.child.kill('SIGKILL');
  await engines.get(first)!.exited;
  await waitFor(`engine ${second} to run the session`, runs(second), MOVE_WITHIN_MS).catch((err: Error) => {
    t.comment(dump());
    throw err;
  });
  const movedMs = Date.now() - killedAt;
  t.equal(await holder(), second, `the lease is ${second}'s`);
  t.ok(movedMs < MOVE_WITHIN_MS, `the session moved ${movedMs} ms after the kill`);
  const lapsAtKill = leaderLaps(clients[0]!);
  await waitFor('spectators on both gateways to see the race go on', () => clients.every((c) => leaderLaps(c) > lapsAtKill), 30_000);

  // 2. A third engine joins; the owner is paused for 15 s, resumes believing it owns the session, and writes.
  await startEngine('c');
  const paused = engines.get(second)!;
  const pausedAt = Date.now();
  paused.child.kill('SIGSTOP');
  await waitFor('engine c to run the session', runs('c'), MOVE_WITHIN_MS).catch((err: Error) => {
    paused.child.kill('SIGCONT');
    t.comment(dump());
    throw err;
  });
  t.ok(Date.now() - pausedAt < MOVE_WITHIN_MS, `the session moved ${Date.now() - pausedAt} ms after the pause`);
  t.equal(await holder(), 'c', "the lease is c's");
  // The pause itself is the scenario (an engine frozen for 15 s), not a wait for something.
  await new Promise((r) => setTimeout(r, Math.max(0, PAUSE_MS - (Date.now() - pausedAt))));
  paused.child.kill('SIGCONT');
  // Resumed, it still believes it owns the session and answers the input requests that queued up while it was
  // frozen: it refuses them (its lease expired by its own clock), and anything it wrote before noticing is fenced.
  const resumed = await waitFor(`engine ${second} to give the session up`, () => {
    const h = health.get(second);
    return h && h.atMs > pausedAt + PAUSE_MS && !h.sessions.some((s) => s.session === session.id) ? h : undefined;
  }, 20_000);
  t.ok(resumed.fenced > 0, `the resumed engine refused ${resumed.fenced} late writes`);

  await sim.done;
  const race = await waitFor('RACE to hold the finished session', async () => {
    const events = await readRaceEvents(await nats.connectAs('engine'), track, session.id);
    return events.inputs.some((i) => i.kind === 'session' && i.verb === 'finish') ? events : undefined;
  }, 60_000);
  const offline = foldSession(race.inputs, ref);
  const finals: SessionView[] = [];
  for (const [i, client] of clients.entries()) {
    finals.push(
      await waitFor(`spectators on gateway ${i + 1} to reach the offline standings`, () => {
        const view = client.view(track, session.id);
        return canonicalJson(view) === canonicalJson(offline) ? view : undefined;
      }, 60_000).catch((err: Error) => {
        t.comment(dump());
        t.comment(`client ${i + 1}: ${JSON.stringify(client.view(track, session.id)).slice(0, 600)}`);
        t.comment(`offline: ${JSON.stringify(offline).slice(0, 600)}`);
        throw err;
      }),
    );
  }
  t.equal(canonicalJson(finals[0]), canonicalJson(finals[1]), 'both gateways hold identical standings');
  t.equal(finals[0]!.state, 'finished');
  t.equal(finals[0]!.rows[0]!.laps, LAPS, `the winner did all ${LAPS} laps: nothing lost in two takeovers`);
  for (const [i, seen] of seqs.entries()) t.ok(seen.every((s, j) => j === 0 || s > seen[j - 1]!), `gateway ${i + 1}: seq only goes forward`);

  // Late writes of the paused engine that reached RACE after c's marker (if any got past its own check) are ignored
  // by the fold above and counted by c.
  await waitFor('engine c to count every stale event in RACE', () => (health.get('c')?.fenced ?? -1) >= race.stale, 10_000);
  t.comment(`moved after SIGKILL in ${movedMs} ms; the resumed engine refused ${resumed.fenced} writes; RACE holds ${race.stale} stale events, fenced by c`);
  t.equal(paused.child.exitCode, null, 'the paused engine lives on, without the session');

  const lapsCounted = offline.rows.reduce((sum, r) => sum + r.laps, 0);
  await waitFor('every lap once in ClickHouse', async () => {
    const [row] = await ch.rows<{ n: string }>(`SELECT count() AS n FROM laps FINAL WHERE session = '${session.id}'`);
    return Number(row?.n) === lapsCounted;
  }, 30_000);
});
