import fs from 'node:fs';
import path from 'node:path';
import { connect } from '@nats-io/transport-node';
import { Registry } from 'prom-client';
import { createClickHouseHttp } from '../../clickhouse/http.ts';
import { startEngineServices } from '../../engine-services.ts';
import { natsSecretsFile } from '../../servers/edge-devices.ts';
import { loadOrCreateSecrets, serviceCredentials } from '../../servers/nats-users.ts';
import { createLogger, parseLogFormat } from '../../log.ts';
import { KEEP_RECONNECTING } from '../../servers/nats.ts';
import { createServiceGroup } from '../../service-group.ts';
import { readStackAddresses } from '../../stack.ts';
import type { Command } from '../command.ts';

export const engineCommand: Command = {
  name: 'engine',
  summary: 'run an engine (ingest, session actors, lap sink, archive) against a running stack, in its own process',
  help: `usage: pitwall engine [--data-dir DIR] [--node NAME]

Runs the engine in a process of its own against the NATS and ClickHouse of the stack started by 'pitwall up' with the
same data directory: ingest (EDGE → RACE), one supervised actor per live session (restored from its snapshot in KV
session-state), the lap sink and the RACE archive. SIGTERM or Ctrl-C stops it gracefully: inputs first, then a final
snapshot of every session, then its leases are given back.

Several engines may run against one stack, each with its own --node: each live session is owned by one of them
(leases in KV session-owner), ingest runs on one, and a dead engine's work moves to another within seconds.

options:
  --data-dir DIR    the stack's data directory (default: PITWALL_DATA_DIR or var/)
  --node NAME       this engine's name in engine.<node>.health (default: PITWALL_NODE or local)
  --log-format F    text (default) or json lines (or PITWALL_LOG_FORMAT)`,
  options: { 'data-dir': { type: 'string' }, node: { type: 'string' }, 'log-format': { type: 'string' } },
  async run({ values }, { config, out, err, stopRequested }) {
    const dataDir = typeof values['data-dir'] === 'string' ? path.resolve(values['data-dir']) : config.dataDir;
    const node = typeof values.node === 'string' ? values.node : config.node;
    const stack = readStackAddresses(dataDir);
    const chSecrets = JSON.parse(fs.readFileSync(path.join(dataDir, 'secrets', 'clickhouse.json'), 'utf8')) as { user: string; password: string };
    const log = createLogger({ format: parseLogFormat((values['log-format'] as string | undefined) ?? config.logFormat), service: `engine ${node}`, write: err });
    const group = createServiceGroup(log);
    const nc = await group.start('nats connection', async () => {
      const c = await connect({ servers: stack.nats, ...serviceCredentials(loadOrCreateSecrets(natsSecretsFile(dataDir)), 'engine'), name: `pitwall engine ${node}`, ...KEEP_RECONNECTING });
      return Object.assign(c, { stop: () => c.drain() });
    });
    const clickhouse = createClickHouseHttp({ url: stack.clickhouse, ...chSecrets, database: stack.database });
    await startEngineServices(group, { nc, clickhouse, registry: new Registry(), log }, { node, ...(config.leaseTtlMs ? { leaseTtlMs: config.leaseTtlMs } : {}) }).catch(async (e: unknown) => {
      await group.stopAll();
      throw e;
    });
    out(`engine ${node} running`);
    const signal = await stopRequested;
    err(`pitwall engine: ${signal}, stopping`);
    await group.stopAll();
    return 0;
  },
};
