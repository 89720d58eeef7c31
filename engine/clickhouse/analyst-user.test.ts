import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Kvm } from '@nats-io/kv';
import { Registry } from 'prom-client';
import t from 'tap';
import { createSimulator } from '../../edge/sim/simulator.ts';
import { startTestGateway } from '../../gateway/testing/gateway.ts';
import { readDeclarationFile } from '../declarations/read.ts';
import { putDeclaration } from '../declarations/store.ts';
import { DEMO_EVENT_FILE } from '../demo.ts';
import { startEngine } from '../engine.ts';
import { startLapSink } from '../lap-sink.ts';
import { startRaceArchive } from '../race-archive.ts';
import { binarySearchFromEnv, requireBinaries } from '../servers/binaries.ts';
import { startClickHouse } from '../servers/clickhouse.ts';
import { startTestNats } from '../testing/nats.ts';
import { readRaceEvents } from '../testing/race-events.ts';
import { waitFor } from '../testing/wait.ts';
import { createClickHouseHttp } from './http.ts';
import { ensureSchema } from './schema.ts';
import { analyticsExamples } from '../testing/analytics-examples.ts';

// The read-only `analyst` user of `pitwall up`'s ClickHouse: docs/analytics.md's fastest-laps query, run through
// clickhouse-client as that user, gives the REST results' best laps; the same user cannot insert or drop.

const run = promisify(execFile);

t.test('analyst: same fastest laps as REST, and read only', async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pitwall-analyst-'));
  t.teardown(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const bins = requireBinaries(['clickhouse-server', 'clickhouse-client'], binarySearchFromEnv(process.env), (l) => t.comment(l));
  const server = await startClickHouse({ binary: bins['clickhouse-server'], dataDir, ports: 'random', lifetime: 'owner' });
  t.teardown(() => server.stop());
  t.equal(server.analyst.user, 'analyst');
  t.ok(fs.existsSync(path.join(dataDir, 'secrets', 'clickhouse-analyst.json')), 'its password is kept with the secrets');
  const database = 'pitwall';
  const ch = createClickHouseHttp({ url: server.url, user: server.user, password: server.password, database });
  await ensureSchema(ch);
  const analystHttp = createClickHouseHttp({ url: server.url, ...server.analyst, database });

  // A short race at full speed, laps into ClickHouse, a gateway reading laps as the analyst.
  const nats = await startTestNats(t);
  const registry = new Registry();
  const log = (line: string) => t.comment(line);
  const declared = readDeclarationFile(DEMO_EVENT_FILE);
  const declaration = { ...declared, entries: declared.entries.slice(0, 8) };
  const session = declaration.sessions.find((s) => s.id === 'race-2')!;
  const { track } = declaration;
  await putDeclaration(await new Kvm(await nats.connectAs('admin')).open('events'), declaration);
  const engineNc = await nats.connectAs('engine');
  const engine = await startEngine({ nc: engineNc, registry, log }, { node: 'test' });
  t.teardown(() => engine.stop());
  const sink = await startLapSink({ nc: engineNc, clickhouse: ch, registry, log }, { maxWaitMs: 200 });
  t.teardown(() => sink.stop());
  const archive = await startRaceArchive({ nc: engineNc, clickhouse: ch, registry, log }, { maxWaitMs: 200 });
  t.teardown(() => archive.stop());
  const gw = await startTestGateway(t, await nats.connectAs('gateway'), {}, { clickhouse: analystHttp });
  const device = await nats.connectWith(await nats.server.addEdgeDevice(track, 'sim'));
  const sim = createSimulator(
    { nc: device, nowMs: Date.now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
    { track, device: 'sim', declaration, session, cars: 8, speed: 'max', seed: 5 },
  );
  const host = await waitFor('the session actor', () => engine.session(track, session.id));
  await sim.done;
  const race = await waitFor('RACE to settle', async () => {
    const events = await readRaceEvents(engineNc, track, session.id);
    return host.appliedStreamSeq() >= events.lastSeq ? events : undefined;
  });
  await waitFor('every lap in ClickHouse', () => sink.inserted() >= race.laps.length);
  await waitFor('RACE archived', () => archive.inserted() >= race.laps.length + race.inputs.length);

  type Result = { number: string; class: string; laps: number; bestLapMs?: number };
  // Settled: the session finished and ClickHouse holds exactly the laps the results count.
  const rest = await waitFor('results and laps to agree', async () => {
    const body = (await (await fetch(`${gw.url}/api/sessions/${track}/${session.id}/results`)).json()) as { session: { state: string }; results: Result[] };
    const [row] = await ch.rows<{ n: string }>(`SELECT count() AS n FROM laps FINAL WHERE session = '${session.id}'`);
    const counted = body.results.reduce((sum, r) => sum + r.laps, 0);
    return body.session.state === 'finished' && Number(row?.n) === counted ? body : undefined;
  });
  const restBest = rest.results.filter((r) => r.bestLapMs !== undefined).map((r) => `${r.number}\t${Math.round(r.bestLapMs! * 1000)}`).sort();
  t.ok(restBest.length >= 8, `${restBest.length} cars with a best lap`);

  const client = (query: string) => run(bins['clickhouse-client'], ['--host', '127.0.0.1', '--port', String(server.tcpPort),
    '--user', server.analyst.user, '--password', server.analyst.password, '--database', database, '--query', query]);
  // Every example of docs/analytics.md runs as the analyst (those on GPS positions in engine/gps/gps-ingest.test.ts);
  // the first is "Fastest lap of each car".
  const queries = analyticsExamples().filter((q) => !q.onPositions).map((q) => q.sql);
  t.ok(queries.length >= 6, `${queries.length} example queries`);
  for (const query of queries) {
    const { stdout } = await client(query);
    t.ok(stdout.trim().length > 0, `rows from: ${query.split('\n')[0]}`);
  }
  const { stdout } = await client(queries[0]!);
  t.same(stdout.trim().split('\n').sort(), restBest, 'clickhouse-client as analyst: the REST results\' best laps');

  const restLaps = (await (await fetch(`${gw.url}/api/sessions/${track}/${session.id}/cars/${rest.results[0]!.number}/laps`)).json()) as { laps: unknown[] };
  t.equal(restLaps.laps.length, rest.results[0]!.laps, 'the gateway reads laps as the analyst');

  await t.rejects(client(`INSERT INTO laps (track, car) VALUES ('x', 'y')`), /readonly/i, 'the analyst cannot insert');
  await t.rejects(client('DROP TABLE laps'), /readonly/i, 'nor drop');
  await t.rejects(client('CREATE TABLE mine (x UInt8) ENGINE = Memory'), /readonly/i, 'nor create');
  await t.rejects(client('SET readonly = 0'), /readonly/i, 'nor lift its read-only setting');
  t.equal((await ch.rows<{ n: string }>(`SELECT count() AS n FROM laps WHERE track = 'x'`))[0]?.n, '0', 'nothing inserted');
  t.ok((await ch.rows<{ n: string }>('SELECT count() AS n FROM laps'))[0], 'laps still there');
});
