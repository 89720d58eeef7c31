// tap `before`: starts the one ClickHouse server of this test run (DESIGN §7). It must outlive this script, so it
// gets a maximum lifetime instead of a watchdog on this process; `after.ts` kills it by PID.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { binarySearchFromEnv, requireBinaries } from '../servers/binaries.ts';
import { startClickHouse } from '../servers/clickhouse.ts';
import { isAlive, killByPid } from '../servers/server-process.ts';
import { abandonedRunStates, readRunState, writeRunState } from './clickhouse-run.ts';

const MAX_RUN_SEC = 2 * 3600;

// Servers of runs whose tap died before its `after` script: stop them by PID.
for (const file of abandonedRunStates(isAlive)) {
  const stale = readRunState(file);
  if (stale) {
    await killByPid(stale.pid);
    fs.rmSync(stale.dataDir, { recursive: true, force: true });
  }
  fs.rmSync(file, { force: true });
}
const bins = requireBinaries(['clickhouse-server'], binarySearchFromEnv(process.env), console.log);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pitwall-clickhouse-'));
const server = await startClickHouse({
  binary: bins['clickhouse-server'],
  dataDir,
  ports: 'random',
  lifetime: { maxLifetimeSec: MAX_RUN_SEC },
});
writeRunState({ pid: server.pid, url: server.url, user: server.user, password: server.password, dataDir });
console.log(`# test ClickHouse ${server.url} (pid ${server.pid})`);
