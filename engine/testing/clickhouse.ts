import { randomBytes } from 'node:crypto';
import type { Test } from 'tap';
import { createClickHouseHttp, type ClickHouseHttp } from '../clickhouse/http.ts';
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
