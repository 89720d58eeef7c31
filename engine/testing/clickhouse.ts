import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Test } from 'tap';
import { createClickHouseHttp, type ClickHouseHttp } from '../clickhouse/http.ts';
import { binarySearchFromEnv, requireBinaries } from '../servers/binaries.ts';
import { startClickHouse, type ClickHouseServer } from '../servers/clickhouse.ts';
import { freePort } from '../servers/ports.ts';
import { killByPid } from '../servers/server-process.ts';
import { readRunState } from './clickhouse-run.ts';

/**
 * A database of its own on the tap run's ClickHouse server (started by engine/testing/before.ts), dropped at
 * teardown. The client's default database is that one.
 */
export async function useTestClickHouse(t: Test): Promise<ClickHouseHttp> {
  const run = readRunState();
  if (!run) throw new Error('no test ClickHouse: run the tests with tap, whose `before` script starts it');
  const database = `test_${process.pid}_${randomBytes(3).toString('hex')}`;
  const ch = createClickHouseHttp({ url: run.url, user: run.user, password: run.password, database });
  await ch.exec(`CREATE DATABASE ${database}`, { database: 'default' });
  t.teardown(() => ch.exec(`DROP DATABASE IF EXISTS ${database}`, { database: 'default' }).then(() => undefined));
  return ch;
}

export interface OwnClickHouse {
  /** A client of database `pitwall` on this server. */
  ch: ClickHouseHttp;
  /** SIGKILL: an outage (ClickHouse restarts from its data directory). */
  kill(): Promise<void>;
  /** Starts it again on the same ports with the same data. */
  restart(): Promise<void>;
}

/**
 * A ClickHouse server of the test's own, for outage tests that stop it (never the run's shared one): random ports
 * chosen once, so a restart comes back at the same address; killed by PID (SIGKILL) and its directory removed at
 * teardown.
 */
export async function startOwnClickHouse(t: Test): Promise<OwnClickHouse> {
  const bins = requireBinaries(['clickhouse-server'], binarySearchFromEnv(process.env), (l) => t.comment(l));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pitwall-own-clickhouse-'));
  const ports = { http: await freePort(), tcp: await freePort(), interserver: await freePort() };
  const start = () => startClickHouse({ binary: bins['clickhouse-server'], dataDir, ports });
  let server: ClickHouseServer | undefined = await start();
  t.teardown(async () => {
    if (server) await killByPid(server.pid);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  const ch = createClickHouseHttp({ url: server.url, user: server.user, password: server.password, database: 'pitwall' });
  return {
    ch,
    async kill() {
      if (server) await killByPid(server.pid);
      server = undefined;
    },
    async restart() {
      server = await start();
    },
  };
}
