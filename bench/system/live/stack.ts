import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { putDeclaration } from '../../../engine/declarations/store.ts';
import { binarySearchFromEnv, requireBinaries } from '../../../engine/servers/binaries.ts';
import { startClickHouse, type ClickHouseServer } from '../../../engine/servers/clickhouse.ts';
import { startNats, type NatsServer } from '../../../engine/servers/nats.ts';
import { killByPid } from '../../../engine/servers/server-process.ts';
import type { NatsCredentials } from '../../../engine/servers/nats-users.ts';
import { ensureStreams } from '../../../engine/streams.ts';
import { forkTs, pin, type Child } from '../../fanout/child.ts';
import { CLIENT_CPU, SERVER_CPU } from '../../fanout/systems.ts';
import { deviceOf, raceDeclaration, trackOf, type RaceSpec } from './races.ts';

/**
 * The whole server side as `pitwall up` runs it, each part in its own process so its CPU and memory are its own, all
 * pinned to the server core: nats-server (JetStream on disk), clickhouse-server, the real engine and the real
 * gateway. The races are declared in KV `events` and each race's timing loop gets its own NATS user, as
 * `pitwall device add` would give it. Everything on 127.0.0.1, in a temp dir, stopped by PID.
 */
export interface LiveStack {
  nats: NatsServer;
  clickhouse: ClickHouseServer;
  engine: Child;
  gateway: Child;
  gatewayUrl: string;
  /** Each race's loop: the credentials its edge agent logs in with. */
  devices: { track: string; device: string; credentials: NatsCredentials }[];
  /** Processes by role, for CPU and memory: what saturates first. */
  processes(): { name: string; pid: number }[];
  /** An admin connection (reads RACE, KV). */
  admin: NatsConnection;
  dir: string;
  stop(): Promise<void>;
}

const here = (file: string) => new URL(file, import.meta.url);

export async function startLiveStack(opts: { races: RaceSpec; lifetimeMs: number; log: (line: string) => void }): Promise<LiveStack> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pitwall-bench-system-'));
  const bins = requireBinaries(['nats-server', 'clickhouse-server'], binarySearchFromEnv(process.env), opts.log);
  const lifetime = { maxLifetimeSec: Math.ceil(opts.lifetimeMs / 1000) };
  const stops: (() => Promise<unknown>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  };
  try {
    const [nats, clickhouse] = await Promise.all([
      startNats({ binary: bins['nats-server'], dataDir: dir, port: 'random', maxFileStore: '10G', lifetime }),
      startClickHouse({ binary: bins['clickhouse-server'], dataDir: dir, ports: 'random', lifetime }),
    ]);
    // Throwaway servers: ClickHouse is killed (a graceful stop takes 2.5 s and its data is thrown away anyway).
    stops.push(() => nats.stop(), () => killByPid(clickhouse.pid));
    pin(nats.pid, SERVER_CPU);
    pin(clickhouse.pid, SERVER_CPU);
    const admin = await connect({ servers: nats.url, ...nats.credentials('admin'), name: 'bench admin' });
    stops.push(() => admin.close());
    await ensureStreams(admin);
    const kv = await new Kvm(admin).open('events');
    const devices = [];
    for (let i = 0; i < opts.races.sessions; i++) {
      await putDeclaration(kv, raceDeclaration(i, opts.races));
      devices.push({ track: trackOf(i), device: deviceOf(i), credentials: await nats.addEdgeDevice(trackOf(i), deviceOf(i)) });
    }
    const natsEnv = (role: 'engine' | 'gateway') => {
      const c = nats.credentials(role);
      return { NATS_URL: nats.url, NATS_USER: c.user, NATS_PASS: c.pass };
    };
    const engine = forkTs(here('./servers/engine.ts'), 'engine', {
      lifetimeMs: opts.lifetimeMs, execArgv: ['--expose-gc'],
      env: { ...natsEnv('engine'), CH_URL: clickhouse.url, CH_USER: clickhouse.user, CH_PASS: clickhouse.password, CH_DATABASE: 'pitwall' },
    });
    stops.push(() => engine.stop());
    pin(engine.pid, SERVER_CPU);
    await engine.next('ready', 60_000);
    const gateway = forkTs(here('../../fanout/servers/pitwall-gateway.ts'), 'gateway', { lifetimeMs: opts.lifetimeMs, execArgv: ['--expose-gc'], env: natsEnv('gateway') });
    stops.push(() => gateway.stop());
    pin(gateway.pid, SERVER_CPU);
    const { port } = await gateway.next<{ port: number }>('ready', 30_000);
    return {
      nats, clickhouse, engine, gateway, admin, dir, devices,
      gatewayUrl: `ws://127.0.0.1:${port}/ws`,
      processes: () => [
        { name: 'nats-server', pid: nats.pid }, { name: 'clickhouse-server', pid: clickhouse.pid },
        { name: 'engine', pid: engine.pid }, { name: 'gateway', pid: gateway.pid },
      ],
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** A load process of the live scenarios (edge agents, spectators, NATS probe), pinned to the client core. */
export function forkLoad(module: string, name: string, lifetimeMs: number, env: NodeJS.ProcessEnv = {}): Child {
  const child = forkTs(here(module), name, { lifetimeMs, env });
  pin(child.pid, CLIENT_CPU);
  return child;
}
