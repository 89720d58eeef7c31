// tap `after`: kills this run's ClickHouse by its PID and removes its data.
import fs from 'node:fs';
import { killByPid } from '../servers/server-process.ts';
import { readRunState, runStateFile } from './clickhouse-run.ts';

const state = readRunState();
if (state) {
  await killByPid(state.pid);
  fs.rmSync(state.dataDir, { recursive: true, force: true });
}
fs.rmSync(runStateFile(), { force: true });
