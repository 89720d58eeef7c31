import fs from 'node:fs';
import path from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Registry } from 'prom-client';
import { createTokenVerifier } from '../gateway/auth/index.ts';
import { createGateway, type GatewayOptions } from '../gateway/server.ts';
import { GATEWAY_AUDIENCE } from '../oidc/claims.ts';
import type { Accounts } from '../oidc/accounts.ts';
import type { IdentityStore } from '../oidc/store.ts';
import type { startIdentityProvider as StartIdentityProvider } from '../oidc/provider.ts';
import { requireNativeUws } from '../gateway/uws.ts';
import { DEFAULT_PORTS } from './cli/config.ts';
import { createClickHouseHttp } from './clickhouse/http.ts';
import type { Engine } from './engine.ts';
import { startEngineServices } from './engine-services.ts';
import { requireBinaries, type BinarySearch } from './servers/binaries.ts';
import { startClickHouse, type ClickHouseServer } from './servers/clickhouse.ts';
import { KEEP_RECONNECTING, startNats, type NatsServer } from './servers/nats.ts';
import { freePort } from './servers/ports.ts';
import type { ServiceRole } from './servers/nats-users.ts';
import { createServiceGroup } from './service-group.ts';
import { ensureStreams } from './streams.ts';
import type { Log } from './log.ts';

export interface StackOptions {
  dataDir: string;
  ports: 'fixed' | 'random';
  binaries: BinarySearch;
  node: string;
  /** The engine's session lease TTL (engine/engine.ts; default 3000 ms). */
  leaseTtlMs?: number;
  log: Log;
  /** The gateway's slow-spectator limits (defaults in gateway/server.ts). */
  spectators?: Pick<GatewayOptions, 'maxBackpressure' | 'slowSpectatorTimeoutMs'>;
}

/** The running parts of one Pitwall installation, as `pitwall up` starts them. */
export interface Stack {
  nats: NatsServer;
  clickhouse: ClickHouseServer;
  engine: Engine;
  spectatorsUrl: string;
  /** The ClickHouse database holding `laps`. */
  database: string;
  registry: Registry;
  /** The identity provider's accounts and organisations (the demo makes its official there). */
  accounts: Accounts;
  /** The identity provider's address and store (the demo issues its riders' credentials there). */
  identity: { url: string; store: IdentityStore };
  /** One line per service, `name url`, for people and for scripts. */
  serviceLines(): string[];
  /** Stops everything in reverse start order. */
  stop(): Promise<void>;
}

/** Where a running stack writes its addresses, so other pitwall commands on this machine can find it. */
export const stackFile = (dataDir: string) => path.join(dataDir, 'run', 'stack.json');

/** What stack.json holds. */
export interface StackAddresses {
  pid: number;
  nats: string;
  natsPid: number;
  clickhouse: string;
  database: string;
  spectators?: string;
  identity?: string;
}

/** The addresses of the stack `pitwall up` runs with this data directory; a clear error when none runs. */
export function readStackAddresses(dataDir: string): StackAddresses {
  const file = stackFile(dataDir);
  if (!fs.existsSync(file)) {
    throw new Error(`no running stack in ${dataDir} (start one with 'pitwall up', or pass --nats, --user and --password)`);
  }
  return JSON.parse(fs.readFileSync(file, 'utf8')) as StackAddresses;
}

const DATABASE = 'pitwall';

/**
 * Starts, in order: nats-server (streams and buckets created), clickhouse-server (schema created), the engine
 * (ingest, session actors, lap sink) and the spectator gateway. A failure half-way stops what already runs.
 */
export async function startStack(opts: StackOptions): Promise<Stack> {
  requireNativeUws(); // fail before starting anything: the gateway would refuse the slow fallback anyway
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const bins = requireBinaries(['nats-server', 'clickhouse-server'], opts.binaries, opts.log);
  const group = createServiceGroup(opts.log);
  const random = opts.ports === 'random';
  const registry = new Registry();

  const nats = await group.start('nats', () =>
    startNats({ binary: bins['nats-server'], dataDir: opts.dataDir, port: random ? 'random' : DEFAULT_PORTS.nats }),
  );
  const connectAs = (role: ServiceRole) =>
    group.start(`nats connection (${role})`, async () => {
      const nc = await connect({ servers: nats.url, ...nats.credentials(role), name: `pitwall ${role}`, ...KEEP_RECONNECTING });
      return Object.assign(nc, { stop: () => nc.drain() }) as NatsConnection & { stop(): Promise<void> };
    });
  const admin = await connectAs('admin');
  await group.start('streams', async () => {
    await ensureStreams(admin);
    return { stop: async () => undefined };
  });
  // Loaded here, not at the top: oidc-provider warns about Node 20 on import, which every other command would print.
  const { startIdentityProvider }: { startIdentityProvider: typeof StartIdentityProvider } = await import('../oidc/provider.ts');
  const identityNc = await connectAs('identity');
  // The race-control page (officials) and the events page (spectators of private events) log in through the identity
  // provider, which must know their addresses beforehand.
  const gatewayPort = random ? await freePort() : DEFAULT_PORTS.spectators;
  const identity = await group.start('identity', () =>
    startIdentityProvider({ nc: identityNc, log: opts.log }, {
      port: random ? 0 : DEFAULT_PORTS.identity, webRedirectUris: [`http://127.0.0.1:${gatewayPort}/race-control`, `http://127.0.0.1:${gatewayPort}/events`],
    }),
  );

  const clickhouse = await group.start('clickhouse', () =>
    startClickHouse({
      binary: bins['clickhouse-server'],
      dataDir: opts.dataDir,
      ports: random
        ? 'random'
        : { http: DEFAULT_PORTS.clickhouseHttp, tcp: DEFAULT_PORTS.clickhouseTcp, interserver: DEFAULT_PORTS.clickhouseInterserver },
    }),
  );
  const ch = createClickHouseHttp({ url: clickhouse.url, user: clickhouse.user, password: clickhouse.password, database: DATABASE });
  const engineNc = await connectAs('engine');
  const engine = await startEngineServices(group, { nc: engineNc, clickhouse: ch, registry, log: opts.log }, { node: opts.node, ...(opts.leaseTtlMs ? { leaseTtlMs: opts.leaseTtlMs } : {}) });
  const gatewayNc = await connectAs('gateway');
  const gateway = await group.start('gateway', () =>
    createGateway({
      nc: gatewayNc,
      registry,
      log: opts.log,
      clickhouse: createClickHouseHttp({ url: clickhouse.url, ...clickhouse.analyst, database: DATABASE }),
      verifier: createTokenVerifier({ jwksUrl: identity.jwksUrl, issuer: identity.issuer, audience: GATEWAY_AUDIENCE }),
      loginIssuer: identity.issuer,
    },
      { host: '127.0.0.1', port: gatewayPort, ...opts.spectators }),
  );
  const spectatorsUrl = `http://127.0.0.1:${gateway.port}/`;

  const file = stackFile(opts.dataDir);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const addresses: StackAddresses = { pid: process.pid, nats: nats.url, natsPid: nats.pid, clickhouse: clickhouse.url, database: DATABASE, spectators: spectatorsUrl, identity: identity.url };
  fs.writeFileSync(file, JSON.stringify(addresses, null, 2));

  return {
    nats,
    clickhouse,
    engine,
    spectatorsUrl,
    database: DATABASE,
    registry,
    accounts: identity.accounts,
    identity: { url: identity.url, store: identity.store },
    serviceLines: () => [`nats ${nats.url}`, `clickhouse ${clickhouse.url}/`, `identity ${identity.url}`, `spectators ${spectatorsUrl}`],
    async stop() {
      fs.rmSync(file, { force: true });
      await group.stopAll();
    },
  };
}
