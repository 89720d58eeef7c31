import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { Registry } from 'prom-client';
import type { Test } from 'tap';
import type { Speed } from '../../edge/pace.ts';
import { createSimulator } from '../../edge/sim/simulator.ts';
import { readDeclarationFile } from '../../engine/declarations/read.ts';
import { putDeclaration } from '../../engine/declarations/store.ts';
import { DEMO_EVENT_FILE } from '../../engine/demo.ts';
import { startEngine } from '../../engine/engine.ts';
import { startTestNats } from '../../engine/testing/nats.ts';
import { waitFor } from '../../engine/testing/wait.ts';
import type { GatewayDeps } from '../server.ts';
import { startTestGateway } from './gateway.ts';

/**
 * A real race behind the pages: a test NATS, the demo event (its first `cars` entries) declared, a real engine, a
 * gateway and the simulator playing race-2 (20 laps) from an edge device at `speed` ('max': as fast as it can, on a
 * frozen clock; a number: paced on the wall clock). Everything is stopped at teardown. `beforeGateway` runs once the
 * engine is up (e.g. to start a lap sink) and may give the gateway its lap store.
 */
export async function startLiveRace(t: Test, opts: { cars: number; speed: Speed; seed?: number; startMs?: number;
  beforeGateway?: (engineNc: NatsConnection) => Promise<Pick<GatewayDeps, 'clickhouse'>> }) {
  const declared = readDeclarationFile(DEMO_EVENT_FILE);
  const declaration = { ...declared, entries: declared.entries.slice(0, opts.cars) };
  const session = declaration.sessions.find((s) => s.id === 'race-2')!;
  const { track } = declaration;
  const nats = await startTestNats(t);
  await putDeclaration(await new Kvm(await nats.connectAs('admin')).open('events'), declaration);
  const log = (line: string) => t.comment(line);
  const engineNc = await nats.connectAs('engine');
  const engine = await startEngine({ nc: engineNc, registry: new Registry(), log }, { node: 'test' });
  t.teardown(() => engine.stop());
  const deps = (await opts.beforeGateway?.(engineNc)) ?? {};
  const gw = await startTestGateway(t, await nats.connectAs('gateway'), {}, deps);

  const device = await nats.connectWith(await nats.server.addEdgeDevice(track, 'sim'));
  const frozen = opts.speed === 'max';
  const startMs = opts.startMs ?? Date.now();
  const sim = createSimulator({ nc: device, nowMs: frozen ? () => startMs : Date.now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
    { track, device: 'sim', declaration, session, cars: opts.cars, speed: opts.speed, seed: opts.seed ?? 3 });
  t.teardown(() => sim.stop());
  const host = await waitFor('the session actor', () => engine.session(track, session.id));
  return { nats, declaration, session, track, engineNc, engine, gw, sim, host };
}
