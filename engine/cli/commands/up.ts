import path from 'node:path';
import { UsageError } from '../../errors.ts';
import { startDemo } from '../../demo.ts';
import { createLogger, parseLogFormat } from '../../log.ts';
import { startStack } from '../../stack.ts';
import type { Command } from '../command.ts';
import { DEFAULT_PORTS } from '../config.ts';

export const upCommand: Command = {
  name: 'up',
  summary: 'start the whole stack on this machine (NATS, ClickHouse, …), optionally with a demo race',
  help: `usage: pitwall up [--demo [--demo-speed N|max]] [--data-dir DIR] [--ports random]

Starts nats-server (JetStream, config from nats.conf) and clickhouse-server on 127.0.0.1, creates the streams,
buckets and tables, then the engine (session actors, lap sink) and the spectator gateway, and prints one line per
service ('nats nats://127.0.0.1:${DEFAULT_PORTS.nats}', 'clickhouse http://…/', 'spectators http://…/').
Missing server binaries are installed from Debian when running as root; otherwise it stops with the command to run.
Ctrl-C stops everything in reverse order.

options:
  --demo            also run the demo meeting (docs/examples/demo-event.yaml): simulated races, 20 cars
  --demo-speed N    session seconds per real second in the demo (default 1; max = as fast as possible)
  --data-dir DIR    where servers keep their data and secrets (default: PITWALL_DATA_DIR or var/)
  --ports random    let every server take a random free port instead of the fixed defaults
  --log-format F    text (default) or json: one JSON object per line with time, level, service, msg, session…
                    (or PITWALL_LOG_FORMAT)`,
  options: {
    demo: { type: 'boolean', default: false },
    'demo-speed': { type: 'string', default: '1' },
    'data-dir': { type: 'string' },
    ports: { type: 'string' },
    'log-format': { type: 'string' },
  },
  async run({ values }, { config, out, err, stopRequested }) {
    const ports = values.ports ?? 'fixed';
    if (ports !== 'random' && ports !== 'fixed') throw new UsageError(`--ports takes 'random', got '${String(ports)}'`);
    const dataDir = typeof values['data-dir'] === 'string' ? path.resolve(values['data-dir']) : config.dataDir;

    const demoSpeed = values['demo-speed'] === 'max' ? 'max' : Number(values['demo-speed']);
    if (demoSpeed !== 'max' && !(demoSpeed > 0)) throw new UsageError(`--demo-speed takes a positive number or max`);

    const log = createLogger({ format: parseLogFormat((values['log-format'] as string | undefined) ?? config.logFormat), service: 'pitwall', write: err });
    const stack = await startStack({ dataDir, ports, binaries: config.binaries, node: config.node, ...(config.leaseTtlMs ? { leaseTtlMs: config.leaseTtlMs } : {}), log, spectators: config.spectators });
    const demo = values.demo ? await startDemo(stack, { speed: demoSpeed, log }).catch(async (e: unknown) => {
      await stack.stop();
      throw e;
    }) : undefined;
    for (const line of [...stack.serviceLines(), ...(demo?.lines ?? [])]) out(line);
    out(`data ${dataDir}`);
    out('pitwall up: running, Ctrl-C stops everything');
    const signal = await stopRequested;
    err(`pitwall up: ${signal}, stopping`);
    await demo?.stop();
    await stack.stop();
    err('pitwall up: stopped');
    return 0;
  },
};
