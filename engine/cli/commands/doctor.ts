import fs from 'node:fs';
import path from 'node:path';
import { loadUws } from '../../../gateway/uws.ts';
import { findBinary, installCommand, SERVER_BINARIES, type ServerBinary } from '../../servers/binaries.ts';
import { isPortFree } from '../../servers/ports.ts';
import type { Command } from '../command.ts';
import { DEFAULT_PORTS, type CliConfig } from '../config.ts';

export type CheckStatus = 'ok' | 'warn' | 'fail';
export interface Check {
  status: CheckStatus;
  what: string;
  /** What to do about it, for warn and fail. */
  fix?: string;
}

const GiB = 1024 ** 3;

/** Everything `pitwall up` needs, checked without changing anything. */
export async function runChecks(config: CliConfig): Promise<Check[]> {
  const checks: Check[] = [];
  const major = Number(process.versions.node.split('.')[0]);
  checks.push(
    major === 20
      ? { status: 'ok', what: `node ${process.version}` }
      : {
          status: 'fail',
          what: `node ${process.version}`,
          fix: 'use Node 20: the pinned uWebSockets.js build has native binaries for Node 20 and older only',
        },
  );

  const uws = loadUws();
  checks.push(
    uws.native
      ? { status: 'ok', what: 'uWebSockets.js runs natively' }
      : { status: 'fail', what: 'uWebSockets.js is not native', fix: uws.problem },
  );

  const binaries = Object.keys(SERVER_BINARIES) as ServerBinary[];
  for (const binary of binaries) {
    const found = findBinary(binary, config.binaries);
    checks.push(
      found
        ? { status: 'ok', what: `${binary} at ${found}` }
        : { status: 'fail', what: `${binary} not found`, fix: `install it: ${installCommand([binary])}` },
    );
  }

  for (const [service, port] of Object.entries(DEFAULT_PORTS)) {
    checks.push(
      (await isPortFree(port))
        ? { status: 'ok', what: `port ${port} (${service}) is free` }
        : {
            status: 'warn',
            what: `port ${port} (${service}) is in use`,
            fix: 'stop what holds it (another pitwall up?) or run pitwall up --ports random',
          },
    );
  }

  checks.push(diskCheck(config.dataDir));
  return checks;
}

function diskCheck(dataDir: string): Check {
  let dir = dataDir;
  while (!fs.existsSync(dir)) dir = path.dirname(dir);
  const stats = fs.statfsSync(dir);
  const free = stats.bavail * stats.bsize;
  const what = `${(free / GiB).toFixed(1)} GiB free for ${dataDir}`;
  if (free < 1 * GiB) return { status: 'fail', what, fix: 'free disk space or choose another --data-dir (NATS and ClickHouse need at least 1 GiB)' };
  if (free < 5 * GiB) return { status: 'warn', what, fix: 'a race day with ClickHouse wants 5 GiB or more' };
  return { status: 'ok', what };
}

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'check this machine: Node, native uWebSockets.js, server binaries, free ports, disk',
  help: `usage: pitwall doctor

Checks what 'pitwall up' needs and prints what to fix. Changes nothing.
  - Node.js 20
  - uWebSockets.js loads its native binary (not the slow JavaScript fallback)
  - nats-server, clickhouse-server and clickhouse-client are installed (searched on PATH and in PITWALL_SBIN,
    default /usr/sbin:/usr/local/sbin)
  - the default ports (${Object.values(DEFAULT_PORTS).join(', ')}) are free
  - disk space where the data lives (PITWALL_DATA_DIR, default var/)

Exit status: 0 when nothing failed (warnings allowed), 1 otherwise.`,
  options: {},
  async run(_args, { config, out }) {
    const checks = await runChecks(config);
    for (const check of checks) {
      out(`${check.status.toUpperCase().padEnd(4)}  ${check.what}${check.fix ? `\n      → ${check.fix}` : ''}`);
    }
    const failed = checks.filter((c) => c.status === 'fail').length;
    out(failed === 0 ? 'pitwall doctor: all checks passed' : `pitwall doctor: ${failed} problem(s) to fix`);
    return failed === 0 ? 0 : 1;
  },
};
