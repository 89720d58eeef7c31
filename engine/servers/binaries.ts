import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { MissingBinaryError } from '../errors.ts';

/** The server programs Pitwall runs, and the Debian package each comes from. */
export const SERVER_BINARIES = {
  'nats-server': 'nats-server',
  'clickhouse-server': 'clickhouse-server',
  'clickhouse-client': 'clickhouse-client',
} as const;
export type ServerBinary = keyof typeof SERVER_BINARIES;

export interface BinarySearch {
  /** The PATH to search. */
  path: string;
  /**
   * Directories searched after PATH. Debian installs servers in /usr/sbin, which an ordinary user's PATH lacks.
   * Configured by PITWALL_SBIN (default `/usr/sbin:/usr/local/sbin`).
   */
  extraDirs: string;
}

export function binarySearchFromEnv(env: NodeJS.ProcessEnv): BinarySearch {
  return { path: env.PATH ?? '', extraDirs: env.PITWALL_SBIN ?? '/usr/sbin:/usr/local/sbin' };
}

/** The absolute path of an executable, or undefined. */
export function findBinary(name: string, search: BinarySearch): string | undefined {
  const dirs = [...search.path.split(':'), ...search.extraDirs.split(':')].filter(Boolean);
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export function installCommand(binaries: readonly ServerBinary[]): string {
  const packages = [...new Set(binaries.map((b) => SERVER_BINARIES[b]))].join(' ');
  const sudo = process.getuid?.() === 0 ? '' : 'sudo ';
  return `${sudo}apt-get install -y ${packages}`;
}

/**
 * Finds each binary; when some are missing and we run as root on Debian, installs their packages with apt-get,
 * otherwise throws MissingBinaryError with the exact command to run.
 */
export function requireBinaries(
  binaries: readonly ServerBinary[],
  search: BinarySearch,
  log: (line: string) => void,
): Record<ServerBinary, string> {
  let missing = binaries.filter((b) => !findBinary(b, search));
  if (missing.length > 0 && process.getuid?.() === 0 && findBinary('apt-get', search)) {
    const packages = [...new Set(missing.map((b) => SERVER_BINARIES[b]))];
    log(`installing ${packages.join(', ')} from Debian (running as root)`);
    try {
      execFileSync('apt-get', ['install', '-y', '-q', ...packages], { stdio: 'inherit', env: aptEnv() });
    } catch {
      execFileSync('apt-get', ['update', '-q'], { stdio: 'inherit', env: aptEnv() });
      execFileSync('apt-get', ['install', '-y', '-q', ...packages], { stdio: 'inherit', env: aptEnv() });
    }
    missing = binaries.filter((b) => !findBinary(b, search));
  }
  const [first] = missing;
  if (first) throw new MissingBinaryError(first, installCommand(missing));
  return Object.fromEntries(binaries.map((b) => [b, findBinary(b, search)])) as Record<ServerBinary, string>;
}

function aptEnv(): NodeJS.ProcessEnv {
  return { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
}
