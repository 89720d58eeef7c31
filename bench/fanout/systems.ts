import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { binarySearchFromEnv, findBinary, requireBinaries } from '../../engine/servers/binaries.ts';
import { startNats, type NatsServer } from '../../engine/servers/nats.ts';
import { forkTs, pin, spawnBinary, type Child } from './child.ts';
import type { SystemKind } from './receiver.ts';

/** Servers run on this core, receivers on the other (DESIGN: 2 cores here). */
export const SERVER_CPU = 0;
export const CLIENT_CPU = 1;

export interface SystemInfo {
  kind: SystemKind;
  label: string;
  /** What it sends in the natural-strategy runs. */
  natural: string;
}

export const SYSTEMS: readonly SystemInfo[] = [
  { kind: 'pitwall', label: 'Pitwall', natural: 'MessagePack diffs coalesced per 100 ms, NATS → gateway (uWS)' },
  { kind: 'ws-json', label: 'ws', natural: 'full standings as JSON on every passing' },
  { kind: 'socketio', label: 'Socket.IO', natural: 'JSON diff per passing, io.emit' },
  { kind: 'mosquitto', label: 'Mosquitto', natural: 'JSON diff per passing, MQTT QoS 0 over WebSockets' },
  { kind: 'uws-raw', label: 'raw uWS', natural: 'pre-encoded MessagePack diff per passing, app.publish' },
];

export interface RunningSystem {
  info: SystemInfo;
  /** Base URLs `ws://127.0.0.1:<port>` of the processes spectators connect to. */
  urls: string[];
  /** The processes that serve spectators: their CPU decides "server-bound", their memory is per connection. */
  servers: { name: string; pid: number }[];
  /** Other server-side processes (NATS, the stand-in engine, the MQTT publisher), reported on their own. */
  helpers: { name: string; pid: number }[];
  /** Gets transport and natural commands. */
  source: Child;
  /** Pitwall only: gateway publish-call timings since the last call, per gateway. */
  gatewayStats?(): Promise<{ publish: { count: number; p50Ms?: number; p99Ms?: number; maxMs?: number } }[]>;
  stop(): Promise<void>;
}

const here = (file: string) => new URL(file, import.meta.url);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function startNode(module: string, name: string, lifetimeMs: number, env: NodeJS.ProcessEnv = {}): Promise<{ child: Child; port: number }> {
  const child = forkTs(here(module), name, { env, lifetimeMs });
  pin(child.pid, SERVER_CPU);
  const ready = await child.next<{ port: number }>('ready', 30_000);
  return { child, port: ready.port };
}

/** Mosquitto from Debian, installed with apt-get when missing and running as root. */
export function mosquittoBinary(log: (line: string) => void): string {
  const search = binarySearchFromEnv(process.env);
  const found = findBinary('mosquitto', search);
  if (found) return found;
  if (process.getuid?.() === 0 && findBinary('apt-get', search)) {
    log('bench: installing Debian package mosquitto (apt-get install -y mosquitto)');
    execFileSync('apt-get', ['install', '-y', 'mosquitto'], { stdio: 'ignore', timeout: 300_000 });
    const installed = findBinary('mosquitto', search);
    if (installed) return installed;
  }
  throw new Error('mosquitto is missing: run  sudo apt-get install -y mosquitto');
}

export async function startSystem(info: SystemInfo, opts: { clients: number; lifetimeMs: number; log: (line: string) => void }): Promise<RunningSystem> {
  const { lifetimeMs, log } = opts;
  switch (info.kind) {
    case 'ws-json':
    case 'socketio':
    case 'uws-raw': {
      const { child, port } = await startNode(`./servers/${info.kind}.ts`, info.kind, lifetimeMs);
      return { info, urls: [`ws://127.0.0.1:${port}`], servers: [{ name: info.kind, pid: child.pid }], helpers: [], source: child, stop: () => child.stop() };
    }
    case 'mosquitto': {
      const binary = mosquittoBinary(log);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pitwall-bench-mosquitto-'));
      const [wsPort, tcpPort] = [await freePort(), await freePort()];
      const conf = path.join(dir, 'mosquitto.conf');
      fs.writeFileSync(conf, [
        'per_listener_settings false', 'allow_anonymous true', 'persistence false', 'log_dest stderr', 'log_type error',
        'max_connections -1', 'max_queued_messages 1000',
        `listener ${tcpPort} 127.0.0.1`, 'protocol mqtt',
        `listener ${wsPort} 127.0.0.1`, 'protocol websockets', '',
      ].join('\n'));
      const broker = spawnBinary(binary, ['-c', conf], 'mosquitto', lifetimeMs);
      pin(broker.pid, SERVER_CPU);
      const deadline = Date.now() + 10_000;
      while (!(await canConnect(tcpPort)) || !(await canConnect(wsPort))) {
        if (Date.now() > deadline) throw new Error('mosquitto did not start listening within 10 s');
        await new Promise((r) => setTimeout(r, 50));
      }
      const { child } = await startNode('./servers/mqtt-publisher.ts', 'mqtt-publisher', lifetimeMs, { BROKER_PORT: String(tcpPort) });
      return {
        info, urls: [`ws://127.0.0.1:${wsPort}`], servers: [{ name: 'mosquitto', pid: broker.pid }],
        helpers: [{ name: 'publisher', pid: child.pid }], source: child,
        async stop() {
          await child.stop();
          await broker.stop();
          fs.rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    case 'pitwall': {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pitwall-bench-nats-'));
      const bins = requireBinaries(['nats-server'], binarySearchFromEnv(process.env), log);
      const nats: NatsServer = await startNats({ binary: bins['nats-server'], dataDir, port: 'random', maxFileStore: '256M' });
      pin(nats.pid, SERVER_CPU);
      const creds = (role: 'engine' | 'gateway') => {
        const c = nats.credentials(role);
        return { NATS_URL: nats.url, NATS_USER: c.user, NATS_PASS: c.pass };
      };
      const { child: engine } = await startNode('./servers/pitwall-engine.ts', 'pitwall-engine', lifetimeMs, creds('engine'));
      // One process cannot hold 20k sockets (hard open-files limit 20000): past 10k, two gateways share the load.
      const count = opts.clients > 10_000 ? 2 : 1;
      const gateways = await Promise.all(Array.from({ length: count }, (_, i) =>
        startNode('./servers/pitwall-gateway.ts', `pitwall-gateway-${i}`, lifetimeMs, creds('gateway'))));
      return {
        info,
        urls: gateways.map((g) => `ws://127.0.0.1:${g.port}`),
        servers: gateways.map((g, i) => ({ name: `gateway-${i}`, pid: g.child.pid })),
        helpers: [{ name: 'nats-server', pid: nats.pid }, { name: 'engine', pid: engine.pid }],
        source: engine,
        gatewayStats: () => Promise.all(gateways.map((g) => g.child.ask<{ stats: { publish: { count: number; p99Ms?: number } } }>({ cmd: 'stats' }, 'stats')
          .then((m) => m.stats))),
        async stop() {
          await Promise.all(gateways.map((g) => g.child.stop()));
          await engine.stop();
          await nats.stop();
          fs.rmSync(dataDir, { recursive: true, force: true });
        },
      };
    }
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
