import path from 'node:path';
import { REPO_ROOT } from '../paths.ts';
import { binarySearchFromEnv, type BinarySearch } from '../servers/binaries.ts';

/** The pitwall command's configuration: the one place that reads process.env (DESIGN §2.5). */
export interface CliConfig {
  /** Where servers keep their data (PITWALL_DATA_DIR, default `var/` in the repository). */
  dataDir: string;
  binaries: BinarySearch;
  /** This engine's node name in `engine.<node>.health` (PITWALL_NODE, default `local`). */
  node: string;
  /** Explicit NATS access for edge agents away from the server (PITWALL_NATS_URL, _USER, _PASSWORD). */
  natsUrl?: string;
  natsUser?: string;
  natsPassword?: string;
  /** How long-running commands log: text (default) or json lines (PITWALL_LOG_FORMAT). */
  logFormat?: string;
  /**
   * The gateway's limits for slow spectators (docs/protocol.md, "Slow spectators"): PITWALL_SPECTATOR_MAX_BACKPRESSURE
   * (bytes, default 256 KiB) and PITWALL_SLOW_SPECTATOR_TIMEOUT_MS (default 30000).
   */
  spectators: { maxBackpressure?: number; slowSpectatorTimeoutMs?: number };
  /**
   * How long a session's owner may go without renewing its lease before another engine takes the session over
   * (PITWALL_LEASE_TTL_MS, default 3000). Raise it on slow machines, where an event-loop stall longer than this would
   * cause a needless takeover.
   */
  leaseTtlMs?: number;
}

/** A positive integer setting, or undefined when unset; anything else is an error naming the variable. */
function positiveInteger(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got '${raw}'`);
  return value;
}

export function readCliConfig(env: NodeJS.ProcessEnv = process.env): CliConfig {
  return {
    dataDir: path.resolve(env.PITWALL_DATA_DIR ?? path.join(REPO_ROOT, 'var')),
    binaries: binarySearchFromEnv(env),
    node: env.PITWALL_NODE ?? 'local',
    natsUrl: env.PITWALL_NATS_URL,
    natsUser: env.PITWALL_NATS_USER,
    natsPassword: env.PITWALL_NATS_PASSWORD,
    logFormat: env.PITWALL_LOG_FORMAT,
    spectators: {
      maxBackpressure: positiveInteger(env, 'PITWALL_SPECTATOR_MAX_BACKPRESSURE'),
      slowSpectatorTimeoutMs: positiveInteger(env, 'PITWALL_SLOW_SPECTATOR_TIMEOUT_MS'),
    },
    leaseTtlMs: positiveInteger(env, 'PITWALL_LEASE_TTL_MS'),
  };
}

/** Fixed ports of `pitwall up` (away from the servers' usual ports, which a system install may hold). */
export const DEFAULT_PORTS = {
  nats: 14222,
  clickhouseHttp: 18123,
  clickhouseTcp: 19000,
  clickhouseInterserver: 19009,
  spectators: 8080,
  identity: 8081,
} as const;
