import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../paths.ts';

/**
 * The ClickHouse server shared by one tap run: started by tap's `before` script, killed by PID by its `after` script.
 * The two scripts and the test files find each other through this state file.
 */
export interface TestClickHouseRun {
  pid: number;
  url: string;
  user: string;
  password: string;
  dataDir: string;
}

export const RUN_STATE_FILE = path.join(REPO_ROOT, 'var', 'test', 'clickhouse-run.json');

export function readRunState(): TestClickHouseRun | undefined {
  try {
    return JSON.parse(fs.readFileSync(RUN_STATE_FILE, 'utf8')) as TestClickHouseRun;
  } catch {
    return undefined;
  }
}

export function writeRunState(state: TestClickHouseRun): void {
  fs.mkdirSync(path.dirname(RUN_STATE_FILE), { recursive: true });
  fs.writeFileSync(RUN_STATE_FILE, JSON.stringify(state, null, 2));
}
