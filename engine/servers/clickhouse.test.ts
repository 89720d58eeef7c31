import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { ServerStartError } from '../errors.ts';
import { processesMentioning } from '../testing/cli.ts';
import { useTestClickHouse } from '../testing/clickhouse.ts';
import { binarySearchFromEnv, requireBinaries } from './binaries.ts';
import { startClickHouse } from './clickhouse.ts';
import { isAlive } from './server-process.ts';

const binary = requireBinaries(['clickhouse-server'], binarySearchFromEnv(process.env), t.comment)['clickhouse-server'];

t.test('the run server answers SELECT 1 over HTTP in a database of this file', async (t) => {
  const ch = await useTestClickHouse(t);
  t.equal((await ch.exec('SELECT 1')).trim(), '1');
  t.equal((await ch.exec('SELECT currentDatabase()')).trim(), ch.config.database);
});

t.test('a wrong password is refused', async (t) => {
  const ch = await useTestClickHouse(t);
  const res = await fetch(`${ch.config.url}/?user=default&password=wrong`, { method: 'POST', body: 'SELECT 1' });
  t.not(res.status, 200);
  t.match(await res.text(), /password is incorrect|Authentication failed|Wrong password/i);
});

t.test('a launcher whose server fails reports its message and leaves nothing running', async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pitwall-ch-fail-'));
  t.teardown(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.teardown(() => blocker.close());
  const taken = (blocker.address() as net.AddressInfo).port;

  const error = await startClickHouse({ binary, dataDir, ports: { http: taken, tcp: taken + 1, interserver: taken + 2 } }).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.type(error, ServerStartError);
  const failure = error as ServerStartError;
  t.match(failure.message, /Address already in use: 127\.0\.0\.1:\d+/, "ClickHouse's own words");
  t.notOk(processesMentioning(dataDir).length, 'no clickhouse-server left for this data dir');
});

t.test('two servers on random ports at once do not clash', async (t) => {
  const dirs = [0, 1].map(() => fs.mkdtempSync(path.join(os.tmpdir(), 'pitwall-ch-pair-')));
  const servers = await Promise.all(dirs.map((dataDir) => startClickHouse({ binary, dataDir, ports: 'random' })));
  t.teardown(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });
  t.not(servers[0]?.httpPort, servers[1]?.httpPort);
  for (const s of servers) {
    const res = await fetch(`${s.url}/`, {
      method: 'POST',
      body: 'SELECT 1',
      headers: { Authorization: `Basic ${Buffer.from(`${s.user}:${s.password}`).toString('base64')}` },
    });
    t.equal((await res.text()).trim(), '1');
  }
  const pids = servers.map((s) => s.pid);
  await Promise.all(servers.map((s) => s.stop()));
  t.same(pids.filter(isAlive), [], 'both stopped by PID');
});
