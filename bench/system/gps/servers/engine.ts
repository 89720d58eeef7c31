import { connect } from '@nats-io/transport-node';
import { Registry } from 'prom-client';
import { startEngine } from '../../../../engine/engine.ts';
import type { Log } from '../../../../engine/log.ts';
import { serveUntilStopped } from '../../../fanout/serve-until-stopped.ts';

/**
 * Pitwall's real engine (engine/engine.ts: supervisor, session hosts, EDGE ingest including GPS fixes) in a process
 * of its own, as the `engine` NATS user: it hosts the sessions race control opens and announces them live in its
 * health, which is what puts them on the gateway's map. No lap sink (ClickHouse is not part of this scenario).
 */
const nc = await connect({ servers: process.env.NATS_URL, user: process.env.NATS_USER, pass: process.env.NATS_PASS, name: 'bench-engine' });
// Warnings and errors only: each opened session logs its lease, ownership and race control lines, which are routine here.
const log: Log = (line, fields) => {
  if (fields?.level === 'warn' || fields?.level === 'error') process.stderr.write(`${line}\n`);
};
const engine = await startEngine({ nc, registry: new Registry(), log }, { node: 'bench' });
process.send?.({ type: 'ready' });

const stop = async (code: number) => {
  await engine.stop();
  await nc.close();
  process.exit(code);
};
serveUntilStopped(stop, Number(process.env.LIFETIME_MS ?? 600_000));
