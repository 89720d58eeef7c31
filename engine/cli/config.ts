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
