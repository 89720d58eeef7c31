import path from 'node:path';
import { UsageError } from '../../errors.ts';
import { startStack } from '../../stack.ts';
import type { Command } from '../command.ts';
import { DEFAULT_PORTS } from '../config.ts';

export const upCommand: Command = {
  name: 'up',
  summary: 'start the whole stack on this machine (NATS, ClickHouse, …), optionally with a demo race',
  help: `usage: pitwall up [--demo] [--data-dir DIR] [--ports random]

Starts nats-server (JetStream, config from nats.conf) and clickhouse-server on 127.0.0.1, creates the streams and
buckets, and prints one line per service ('nats nats://127.0.0.1:${DEFAULT_PORTS.nats}', 'clickhouse http://…').
Missing server binaries are installed from Debian when running as root; otherwise it stops with the command to run.
Ctrl-C stops everything in reverse order.

options:
  --demo            also run a simulated demo race
  --data-dir DIR    where servers keep their data and secrets (default: PITWALL_DATA_DIR or var/)
  --ports random    let every server take a random free port instead of the fixed defaults`,
  options: {
    demo: { type: 'boolean', default: false },
    'data-dir': { type: 'string' },
    ports: { type: 'string' },
  },
  async run({ values }, { config, out, err, stopRequested }) {
    const ports = values.ports ?? 'fixed';
    if (ports !== 'random' && ports !== 'fixed') throw new UsageError(`--ports takes 'random', got '${String(ports)}'`);
    const dataDir = typeof values['data-dir'] === 'string' ? path.resolve(values['data-dir']) : config.dataDir;

    const stack = await startStack({ dataDir, ports, binaries: config.binaries, log: err });
    for (const line of stack.serviceLines()) out(line);
    if (values.demo) err('demo race: not built yet, only the servers run (see the live-slice issue)');
    out(`data ${dataDir}`);
    out('pitwall up: running, Ctrl-C stops everything');
    const signal = await stopRequested;
    err(`pitwall up: ${signal}, stopping`);
    await stack.stop();
    err('pitwall up: stopped');
    return 0;
  },
};
