import fs from 'node:fs';
import path from 'node:path';
import { connect } from '@nats-io/transport-node';
import { requireBinaries, type BinarySearch } from './servers/binaries.ts';
import { startClickHouse, type ClickHouseServer } from './servers/clickhouse.ts';
import { startNats, type NatsServer } from './servers/nats.ts';
import { createServiceGroup } from './service-group.ts';
import { ensureStreams } from './streams.ts';
import { DEFAULT_PORTS } from './cli/config.ts';

export interface StackOptions {
  dataDir: string;
  ports: 'fixed' | 'random';
  binaries: BinarySearch;
  log: (line: string) => void;
}

/** The running servers of one Pitwall installation, as `pitwall up` starts them. */
export interface Stack {
  nats: NatsServer;
  clickhouse: ClickHouseServer;
  /** One line per service, `name url`, for people and for scripts. */
  serviceLines(): string[];
  /** Stops everything in reverse start order. */
  stop(): Promise<void>;
}

/** Where a running stack writes its addresses, so other pitwall commands on this machine can find it. */
export const stackFile = (dataDir: string) => path.join(dataDir, 'run', 'stack.json');

export async function startStack(opts: StackOptions): Promise<Stack> {
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const bins = requireBinaries(['nats-server', 'clickhouse-server'], opts.binaries, opts.log);
  const group = createServiceGroup(opts.log);
  const random = opts.ports === 'random';

  const nats = await group.start('nats', () =>
    startNats({ binary: bins['nats-server'], dataDir: opts.dataDir, port: random ? 'random' : DEFAULT_PORTS.nats }),
  );
  const admin = await connect({ servers: nats.url, ...nats.credentials('admin') });
  try {
    await ensureStreams(admin);
  } catch (err) {
    await group.stopAll();
    throw err;
  } finally {
    await admin.close();
  }
  const clickhouse = await group.start('clickhouse', () =>
    startClickHouse({
      binary: bins['clickhouse-server'],
      dataDir: opts.dataDir,
      ports: random
        ? 'random'
        : { http: DEFAULT_PORTS.clickhouseHttp, tcp: DEFAULT_PORTS.clickhouseTcp, interserver: DEFAULT_PORTS.clickhouseInterserver },
    }),
  );

  const serviceLines = () => [`nats ${nats.url}`, `clickhouse ${clickhouse.url}/`];
  const file = stackFile(opts.dataDir);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ pid: process.pid, nats: nats.url, natsPid: nats.pid, clickhouse: clickhouse.url }, null, 2));

  return {
    nats,
    clickhouse,
    serviceLines,
    async stop() {
      fs.rmSync(file, { force: true });
      await group.stopAll();
    },
  };
}
