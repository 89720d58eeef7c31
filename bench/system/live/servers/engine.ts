import { connect } from '@nats-io/transport-node';
import { Registry } from 'prom-client';
import { createClickHouseHttp } from '../../../../engine/clickhouse/http.ts';
import { startEngineServices } from '../../../../engine/engine-services.ts';
import { createLogger } from '../../../../engine/log.ts';
import { createServiceGroup } from '../../../../engine/service-group.ts';
import { serveUntilStopped } from '../../../fanout/serve-until-stopped.ts';

/**
 * The real engine as `pitwall engine` runs it (startEngineServices: ingest, session actors, lap sink, RACE archive,
 * positions sink), in a process of its own so that its CPU and memory are its own. IPC: `ready` once running;
 * `memory` → its memory after a full collection (started with --expose-gc) and its live sessions; `stop`
 * (serve-until-stopped.ts).
 */
const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
// JSON lines so the level is known: warnings and errors reach the operator, the rest is a running race's routine.
const log = createLogger({ format: 'json', service: 'bench engine', write: (line) => {
  if (!line.includes('"level":"info"')) process.stderr.write(`${line}\n`);
} });
const group = createServiceGroup(log);
const nc = await connect({ servers: env('NATS_URL'), user: env('NATS_USER'), pass: env('NATS_PASS'), name: 'bench engine' });
const clickhouse = createClickHouseHttp({ url: env('CH_URL'), user: env('CH_USER'), password: env('CH_PASS'), database: env('CH_DATABASE') });
const engine = await startEngineServices(group, { nc, clickhouse, registry: new Registry(), log }, { node: 'bench' });
process.send?.({ type: 'ready' });

const stop = async (code: number) => {
  await group.stopAll().catch(() => undefined);
  await nc.close().catch(() => undefined);
  process.exit(code);
};
serveUntilStopped(stop, 60 * 60_000);
process.on('message', (m: { cmd: string }) => {
  if (m.cmd !== 'memory') return;
  (globalThis as { gc?: () => void }).gc?.();
  process.send?.({ type: 'memory', memory: process.memoryUsage(), sessions: engine.health().sessions.length });
});
