import { randomBytes } from 'node:crypto';
import type { Test } from 'tap';
import { readRunState } from './clickhouse-run.ts';

export interface TestClickHouse {
  url: string;
  user: string;
  password: string;
  /** This test file's own database, dropped at teardown. */
  database: string;
  /** Runs one statement over HTTP in this database; returns the body, throws with ClickHouse's message on error. */
  query(sql: string): Promise<string>;
}

/** A database of its own on the tap run's ClickHouse server (started by engine/testing/before.ts). */
export async function useTestClickHouse(t: Test): Promise<TestClickHouse> {
  const run = readRunState();
  if (!run) throw new Error('no test ClickHouse: run the tests with tap, whose `before` script starts it');
  const database = `test_${process.pid}_${randomBytes(3).toString('hex')}`;
  const query = async (sql: string, db = database) => {
    const res = await fetch(`${run.url}/?database=${db}`, {
      method: 'POST',
      body: sql,
      headers: { Authorization: `Basic ${Buffer.from(`${run.user}:${run.password}`).toString('base64')}` },
    });
    const body = await res.text();
    if (!res.ok) throw new Error(`ClickHouse: ${body.trim()}`);
    return body;
  };
  await query(`CREATE DATABASE ${database}`, 'default');
  t.teardown(() => query(`DROP DATABASE IF EXISTS ${database}`, 'default').then(() => undefined));
  return { url: run.url, user: run.user, password: run.password, database, query };
}
