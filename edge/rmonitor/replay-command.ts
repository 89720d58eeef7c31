import path from 'node:path';
import type { Command } from '../../engine/cli/command.ts';
import { UsageError } from '../../engine/errors.ts';
import { createReplayServer } from './replay-server.ts';

export const replayCommand: Command = {
  name: 'replay',
  summary: 'serve an RMonitor capture over TCP like a live scoreboard feed, at N× real time',
  help: `usage: pitwall replay <capture> --tcp <port> [--speed N|max] [--from-line N]

Serves a capture file (RMonitor lines, with or without '##yyyy-mm-dd hh:mm:ss.fff' receive timestamps) on
127.0.0.1:<port> to every client that connects, each from the start. Prints 'replay tcp://127.0.0.1:<port>' once
listening. Ctrl-C stops.

options:
  --tcp PORT       port to listen on; 0 takes a random free port (the line printed says which)
  --speed N|max    N× real time from the capture's timestamps (default 1); a capture without them plays 20 lines/s
                   at 1×; 'max' sends as fast as the client reads
  --from-line N    start at line N of the file (1-based)`,
  options: {
    tcp: { type: 'string' },
    speed: { type: 'string', default: '1' },
    'from-line': { type: 'string' },
  },
  async run({ values, positionals }, { out, err, stopRequested }) {
    const [file, ...more] = positionals;
    if (!file || more.length > 0) throw new UsageError('give exactly one capture file');
    const port = Number(values.tcp);
    if (values.tcp === undefined || !Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--tcp takes a port number (0 = random)');
    const speedText = String(values.speed);
    const speed = speedText === 'max' ? 'max' : Number(speedText);
    if (speed !== 'max' && !(speed > 0)) throw new UsageError(`--speed takes a positive number or 'max', got '${speedText}'`);
    const fromLine = values['from-line'] === undefined ? 1 : Number(values['from-line']);
    if (!Number.isInteger(fromLine) || fromLine < 1) throw new UsageError('--from-line takes a line number from 1');

    const server = await createReplayServer({ file: path.resolve(file), port, speed, fromLine });
    out(`replay ${server.url}`);
    const signal = await stopRequested;
    err(`pitwall replay: ${signal}, stopping`);
    await server.stop();
    return 0;
  },
};
