import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../paths.ts';

/**
 * The ClickHouse server shared by one tap run: started by tap's `before` script, killed by PID by its `after` script.
 * The scripts and the test files of one run are all children of the same tap process, so the state file is named
 * after it (`process.ppid`): several tap runs at once each use their own server.
 */
export interface TestClickHouseRun {
  pid: number;
  url: string;
  user: string;
  password: string;
  dataDir: string;
}

const STATE_DIR = path.join(REPO_ROOT, 'var', 'test');
const stateFile = (tapPid: number) => path.join(STATE_DIR, `clickhouse-run-${tapPid}.json`);

export const runStateFile = () => stateFile(process.ppid);

export function readRunState(file = runStateFile()): TestClickHouseRun | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as TestClickHouseRun;
  } catch {
    return undefined;
  }
}

export function writeRunState(state: TestClickHouseRun): void {
  fs.mkdirSync(STATE_DIR, { recursive: true });
  fs.writeFileSync(runStateFile(), JSON.stringify(state, null, 2));
}

/** State files of tap runs whose tap process is gone (killed before its `after` ran). */
export function abandonedRunStates(isAlive: (pid: number) => boolean): string[] {
  if (!fs.existsSync(STATE_DIR)) return [];
  return fs
    .readdirSync(STATE_DIR)
    .map((name) => /^clickhouse-run-(\d+)\.json$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null && !isAlive(Number(m[1])))
    .map((m) => path.join(STATE_DIR, m[0]));
}
