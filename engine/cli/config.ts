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
}

export function readCliConfig(env: NodeJS.ProcessEnv = process.env): CliConfig {
  return {
    dataDir: path.resolve(env.PITWALL_DATA_DIR ?? path.join(REPO_ROOT, 'var')),
    binaries: binarySearchFromEnv(env),
    node: env.PITWALL_NODE ?? 'local',
  };
}

/** Fixed ports of `pitwall up` (away from the servers' usual ports, which a system install may hold). */
export const DEFAULT_PORTS = {
  nats: 14222,
  clickhouseHttp: 18123,
  clickhouseTcp: 19000,
  clickhouseInterserver: 19009,
} as const;
