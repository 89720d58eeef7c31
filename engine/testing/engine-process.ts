import fs from 'node:fs';
import path from 'node:path';
import type { Test } from 'tap';
import type { ClickHouseHttp } from '../clickhouse/http.ts';
import type { StackAddresses } from '../stack.ts';
import { startPitwall, type RunningPitwall } from './cli.ts';
import type { TestNats } from './nats.ts';

/**
 * Lets `pitwall engine` processes find the test's NATS and ClickHouse as they would under `pitwall up`: the stack's
 * addresses and the ClickHouse secret in the NATS data directory. Returns that directory.
 */
export function shareTestStack(nats: TestNats, ch: ClickHouseHttp): string {
  const dataDir = nats.dataDir;
  fs.mkdirSync(path.join(dataDir, 'run'), { recursive: true });
  const addresses: StackAddresses = { pid: process.pid, nats: nats.server.url, natsPid: nats.server.pid, clickhouse: ch.config.url, database: ch.config.database };
  fs.writeFileSync(path.join(dataDir, 'run', 'stack.json'), JSON.stringify(addresses));
  fs.writeFileSync(path.join(dataDir, 'secrets', 'clickhouse.json'), JSON.stringify({ user: ch.config.user, password: ch.config.password }));
  return dataDir;
}

/** `pitwall engine --node <node>` in a process of its own (JSON logs), running once it says so; killed by PID at the end. */
export async function startEngineProcess(t: Test, dataDir: string, node: string): Promise<RunningPitwall> {
  const engine = startPitwall(['engine', '--data-dir', dataDir, '--node', node, '--log-format', 'json']);
  t.teardown(() => {
    engine.child.kill('SIGCONT'); // a paused engine cannot die of SIGKILL until it runs again
    engine.child.kill('SIGKILL');
  });
  await engine.waitForLine(new RegExp(`^engine ${node} running$`));
  return engine;
}
