import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect } from '@nats-io/transport-node';
import { createClickHouseHttp, type ClickHouseConfig } from '../../../engine/clickhouse/http.ts';
import { ensureSchema } from '../../../engine/clickhouse/schema.ts';
import { binarySearchFromEnv, requireBinaries } from '../../../engine/servers/binaries.ts';
import { startClickHouse } from '../../../engine/servers/clickhouse.ts';
import { startNats } from '../../../engine/servers/nats.ts';
import type { NatsCredentials } from '../../../engine/servers/nats-users.ts';
import { killByPid } from '../../../engine/servers/server-process.ts';
import { ensureStreams } from '../../../engine/streams.ts';

/**
 * The two real servers of the lap-sink scenario: nats-server (random port, RACE and EDGE with the engine's default
 * limits) and clickhouse-server (random ports, the engine's schema in database `pitwall`), both on loopback under one
 * temp dir. They die with this process (lifetime 'owner'); `stop()` kills them by PID (SIGKILL: a graceful
 * ClickHouse stop takes 2.5 s and the data is thrown away anyway) and removes the dir.
 */
export interface LapServers {
  natsUrl: string;
  /** The engine's NATS user: the sink and the load (which writes RACE as the session actor does) log in with it. */
  engine: NatsCredentials;
  clickhouse: ClickHouseConfig;
  natsPid: number;
  clickhousePid: number;
  stop(): Promise<void>;
}

export async function startLapServers(log: (line: string) => void): Promise<LapServers> {
  const bins = requireBinaries(['nats-server', 'clickhouse-server'], binarySearchFromEnv(process.env), log);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pitwall-bench-lapsink-'));
  const started: { pid: number }[] = [];
  const stop = async () => {
    for (const s of started.reverse()) await killByPid(s.pid);
    fs.rmSync(dataDir, { recursive: true, force: true, maxRetries: 5 });
  };
  try {
    const [nats, ch] = await Promise.all([
      startNats({ binary: bins['nats-server'], dataDir, port: 'random', maxFileStore: '10G' }).then((s) => (started.push(s), s)),
      startClickHouse({ binary: bins['clickhouse-server'], dataDir, ports: 'random' }).then((s) => (started.push(s), s)),
    ]);
    const admin = await connect({ servers: nats.url, ...nats.credentials('admin') });
    await ensureStreams(admin); // the engine's limits; they are caps, not allocations
    await admin.close();
    const clickhouse = { url: ch.url, user: ch.user, password: ch.password, database: 'pitwall' };
    await ensureSchema(createClickHouseHttp(clickhouse));
    return { natsUrl: nats.url, engine: nats.credentials('engine'), clickhouse, natsPid: nats.pid, clickhousePid: ch.pid, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
