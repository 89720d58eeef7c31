import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { binarySearchFromEnv, requireBinaries } from '../../../engine/servers/binaries.ts';
import { startNats, type NatsServer } from '../../../engine/servers/nats.ts';
import type { ServiceRole } from '../../../engine/servers/nats-users.ts';
import { ensureStreams, DEFAULT_STREAM_LIMITS, type StreamLimits } from '../../../engine/streams.ts';
import { forkTs, pin, type Child } from '../../fanout/child.ts';

/** The servers' core; the load processes (riders, spectators) run on the other one (bench/fanout/systems.ts's split). */
export const SERVER_CPU = 0;
export const LOAD_CPU = 1;

/** The real server side of the GPS scenario: nats-server, identity provider, engine and gateway, each its own process. */
export interface GpsStack {
  /** `http://127.0.0.1:<port>` of the gateway. */
  gatewayUrl: string;
  issuer: string;
  /** The processes the report meters, by name. */
  pids: { gateway: number; engine: number; nats: number; identity: number };
  /** A connection as one of the service users (the orchestrator's own: `admin` declares, `identity` issues credentials). */
  connectAs(role: ServiceRole): Promise<NatsConnection>;
  /** Stops every process by its PID, in reverse order of start, and removes the temp directory. */
  stop(): Promise<void>;
}

const here = (module: string) => new URL(module, import.meta.url);

/**
 * The production limits (DESIGN §2: limits from day one) scaled to a temp store of 1 GiB, which the defaults' 6 GiB
 * of streams would not fit: a run stores a few MB (500 fixes a second of ~250 bytes for at most 3 minutes).
 */
const BENCH_LIMITS: StreamLimits = {
  ...DEFAULT_STREAM_LIMITS, edgeMaxBytes: 256 * 1024 ** 2, raceMaxBytes: 256 * 1024 ** 2,
  bucketMaxBytes: { events: 16 * 1024 ** 2, 'session-state': 128 * 1024 ** 2, 'session-owner': 1024 ** 2, identity: 64 * 1024 ** 2 },
};

/**
 * Starts the stack on 127.0.0.1, every server pinned to SERVER_CPU and bounded by `lifetimeMs` (nats-server by its
 * own watchdog, the Node servers by forkTs's killer), in the order `pitwall up` uses: NATS (streams and buckets
 * created as `pitwall up` does), identity, engine, gateway.
 */
export async function startGpsStack(opts: { lifetimeMs: number; log: (line: string) => void }): Promise<GpsStack> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pitwall-bench-gps-'));
  const children: Child[] = [];
  const connections: NatsConnection[] = [];
  let nats: NatsServer | undefined;
  const stop = async () => {
    await Promise.all(connections.map((nc) => nc.close().catch(() => undefined)));
    for (const child of children.reverse()) await child.stop();
    await nats?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true, maxRetries: 5 });
  };
  try {
    const bins = requireBinaries(['nats-server'], binarySearchFromEnv(process.env), opts.log);
    nats = await startNats({ binary: bins['nats-server'], dataDir, port: 'random', maxFileStore: '1G',
      lifetime: { maxLifetimeSec: Math.ceil(opts.lifetimeMs / 1000) } });
    pin(nats.pid, SERVER_CPU);
    const server = nats;
    const connectAs = async (role: ServiceRole) => {
      const nc = await connect({ servers: server.url, ...server.credentials(role), name: `bench ${role}` });
      connections.push(nc);
      return nc;
    };
    await ensureStreams(await connectAs('admin'), BENCH_LIMITS);

    const start = async <T>(module: string, role: ServiceRole, env: NodeJS.ProcessEnv = {}) => {
      const c = server.credentials(role);
      const child = forkTs(here(module), `gps ${module}`, {
        lifetimeMs: opts.lifetimeMs, env: { NATS_URL: server.url, NATS_USER: c.user, NATS_PASS: c.pass, LIFETIME_MS: String(opts.lifetimeMs), ...env },
      });
      children.push(child);
      pin(child.pid, SERVER_CPU);
      return { child, ready: await child.next<T>('ready', 30_000) };
    };
    const identity = await start<{ issuer: string; jwksUrl: string }>('./servers/identity.ts', 'identity');
    const engine = await start('./servers/engine.ts', 'engine');
    const gateway = await start<{ port: number }>('./servers/gateway.ts', 'gateway', { ISSUER: identity.ready.issuer, JWKS_URL: identity.ready.jwksUrl });
    return {
      gatewayUrl: `http://127.0.0.1:${gateway.ready.port}`,
      issuer: identity.ready.issuer,
      pids: { gateway: gateway.child.pid, engine: engine.child.pid, nats: server.pid, identity: identity.child.pid },
      connectAs,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
