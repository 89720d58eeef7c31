import { createReadStream } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Command } from '../../engine/cli/command.ts';
import { subjects } from '../../actors/contracts/subjects.ts';
import { UsageError } from '../../engine/errors.ts';
import { AGENT_OPTIONS, AGENT_OPTIONS_HELP, openAgentProcess, portOption, stringOption } from '../agent-process.ts';
import { createRfidAgent } from './agent.ts';
import { DEFAULT_RFID_GAP_MS, DEFAULT_RFID_MIN_INTERVAL_MS } from './clusters.ts';
import { dayStartFromLogName } from './read-log.ts';

export const rfidCommand: Command = {
  name: 'rfid',
  summary: "turn an RFID mat's chip reads (a reader's TCP line stream or a read log) into passings by chip",
  help: `usage: pitwall edge rfid --track T --device D (--host H --port P | --file LOG) [--gap-ms N] [--min-interval-ms N]
                          [--estimate peak|first] [--day YYYY-MM-DD] [--data-dir DIR] [--nats URL …] [--outbox DIR]

Reads chip reads in the shared read format (CSV: reader, EPC, HHMMSS.ffffff, count, peak RSSI; docs/rfid.md) from a
reader's TCP line stream (kept connected with backoff) or from a log file (published as fast as the outbox takes
it, then the agent exits). Every read goes to edge.<track>.<device>.raw; each chip's cluster of reads becomes one
passing by chip on edge.<track>.<device>.passing. Method and measured accuracy: docs/rfid.md.

options:
  --gap-ms N            reads of a chip closer than this are one crossing (default ${DEFAULT_RFID_GAP_MS})
  --min-interval-ms N   a chip's passing sooner than this after its previous one is dropped (default ${DEFAULT_RFID_MIN_INTERVAL_MS})
  --estimate peak|first the crossing time: the strongest read (default) or the first read of the cluster
  --day YYYY-MM-DD      the day the reader's times of day are on, as UTC (default: from a CrossMgr log's name, else today)
${AGENT_OPTIONS_HELP}`,
  options: {
    track: { type: 'string' },
    device: { type: 'string' },
    host: { type: 'string' },
    port: { type: 'string' },
    file: { type: 'string' },
    'gap-ms': { type: 'string', default: String(DEFAULT_RFID_GAP_MS) },
    'min-interval-ms': { type: 'string', default: String(DEFAULT_RFID_MIN_INTERVAL_MS) },
    estimate: { type: 'string', default: 'peak' },
    day: { type: 'string' },
    ...AGENT_OPTIONS,
  },
  async run({ values }, { config, out, err, stopRequested }) {
    const str = (k: string) => stringOption(values, k);
    const track = str('track');
    const device = str('device');
    const host = str('host');
    const file = str('file');
    if (!track || !device) throw new UsageError('--track and --device are required');
    if (!host === !file) throw new UsageError('give either --host H --port P (a reader) or --file LOG (a read log)');
    const passingSubject = subjects.edge(track, device, 'passing'); // also checks that track and device are slugs
    const millis = (k: string) => {
      const n = Number(str(k));
      if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${k} takes a whole number of milliseconds`);
      return n;
    };
    const gapMs = millis('gap-ms');
    const minIntervalMs = millis('min-interval-ms');
    const estimate = str('estimate');
    if (estimate !== 'peak' && estimate !== 'first') throw new UsageError('--estimate is peak or first');
    const day = str('day');
    if (day !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new UsageError('--day takes YYYY-MM-DD');
    const dayStartUs = day ? Date.parse(`${day}T00:00:00Z`) * 1000 : file ? dayStartFromLogName(path.basename(file)) : undefined;
    const port = host ? portOption(values) : 0;

    const edge = await openAgentProcess(values, config, { track, device, name: 'rfid', log: err });
    const agent = createRfidAgent(
      { nc: edge.nc, log: err, clock: edge.clock, outbox: edge.outbox },
      { track, device, gapMs, minIntervalMs, estimate, ...(dayStartUs === undefined ? {} : { dayStartUs }) },
    );
    if (file) {
      out(`rfid ${file} → ${passingSubject}`);
      let lineNo = 0;
      for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) agent.line(line, ++lineNo);
      agent.flush();
      const stopped = await Promise.race([agent.drained().then(() => undefined), stopRequested]);
      const h = agent.health();
      out(`rfid: ${h.reads} reads → ${h.passings} passings (${h.tooSoon} too soon, ${h.badLines} bad lines)${stopped ? `; ${stopped} before all were sent` : ''}`);
    } else {
      agent.connect(host!, port);
      out(`rfid ${host}:${port} → ${passingSubject}`);
      const signal = await stopRequested;
      err(`pitwall edge rfid: ${signal}, stopping`);
    }
    await agent.stop();
    await edge.close();
    return 0;
  },
};
