import path from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import type { CommandArgs } from '../engine/cli/command.ts';
import type { CliConfig } from '../engine/cli/config.ts';
import { UsageError } from '../engine/errors.ts';
import { connectEdgeWhenReachable } from './connect.ts';
import { createEdgeClock, type EdgeClock } from './edge-clock.ts';
import { openDiskOutbox } from './outbox/disk-outbox.ts';
import type { Outbox } from './outbox/outbox.ts';

/** The options every `pitwall edge <agent>` takes to reach NATS and keep its outbox. */
export const AGENT_OPTIONS = {
  'data-dir': { type: 'string' },
  nats: { type: 'string' },
  user: { type: 'string' },
  password: { type: 'string' },
  outbox: { type: 'string' },
  'outbox-max-mb': { type: 'string', default: '1024' },
} as const;

export const AGENT_OPTIONS_HELP = `  --data-dir DIR    a local stack started by 'pitwall up' (default PITWALL_DATA_DIR or var/)
  --nats URL --user U --password P   a remote NATS instead (or PITWALL_NATS_URL, _USER, _PASSWORD)
  --outbox DIR      where readings wait until JetStream acknowledges them (default DATA-DIR/edge/TRACK/DEVICE/outbox);
                    what a killed agent left there is sent first when it starts again
  --outbox-max-mb N the outbox's size limit (default 1024); when full, new readings wait`;

/** The outbox directory of a device, under the data directory. */
/** A string option's value, undefined when not given. */
export const stringOption = (values: CommandArgs['values'], key: string) => (typeof values[key] === 'string' ? (values[key] as string) : undefined);

/** `--port`: a TCP port number, else a usage error. */
export function portOption(values: CommandArgs['values']): number {
  const port = Number(stringOption(values, 'port'));
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError('--port takes a port number');
  return port;
}

/** The options of an agent that reads a device over TCP (`--track --device --host --port`), its port's default given. */
export const tcpAgentOptions = (defaultPort: number) => ({
  track: { type: 'string' },
  device: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string', default: String(defaultPort) },
  ...AGENT_OPTIONS,
}) as const;

/** `--track`, `--device`, `--host` and `--port` of such an agent, each required; usage errors say which is wrong. */
export function tcpAgentTarget(values: CommandArgs['values']): { track: string; device: string; host: string; port: number } {
  const [track, device, host] = (['track', 'device', 'host'] as const).map((k) => stringOption(values, k));
  if (!track || !device || !host) throw new UsageError('--track, --device and --host are required');
  return { track, device, host, port: portOption(values) };
}

export const defaultOutboxDir = (dataDir: string, track: string, device: string) => path.join(dataDir, 'edge', track, device, 'outbox');

export interface AgentProcess {
  /** Resolves once NATS was reached (at once when it is up). */
  nc: Promise<NatsConnection>;
  outbox: Outbox;
  clock: EdgeClock;
  /** Stops connecting, or drains the connection (the publisher closes the outbox). */
  close(): Promise<void>;
}

/**
 * What an agent process needs to take readings: its disk outbox (opened first: a second agent on the same outbox is
 * refused before anything else), its clock, and its NATS connection — as a promise: an agent started while NATS is
 * unreachable takes readings into its outbox at once and sends them when NATS is reached.
 */
export async function openAgentProcess(
  values: CommandArgs['values'],
  config: CliConfig,
  opts: { track: string; device: string; name: string; log: (line: string) => void },
): Promise<AgentProcess> {
  const str = (k: string) => stringOption(values, k);
  const dataDir = str('data-dir') ? path.resolve(str('data-dir')!) : config.dataDir;
  const maxMb = Number(str('outbox-max-mb') ?? 1024);
  if (!(maxMb > 0)) throw new UsageError(`--outbox-max-mb takes a positive number, got ${String(str('outbox-max-mb'))}`);
  const dir = path.resolve(str('outbox') ?? defaultOutboxDir(dataDir, opts.track, opts.device));
  const outbox = openDiskOutbox(dir, { maxBytes: Math.round(maxMb * 1024 ** 2), log: opts.log });
  const pending = outbox.stats().pending;
  opts.log(`${opts.name}: outbox ${dir}${pending ? `: ${pending} readings from an earlier run are sent first` : ''}`);
  const stopping = new AbortController();
  const nc = connectEdgeWhenReachable(
    {
      track: opts.track,
      device: opts.device,
      dataDir,
      url: str('nats') ?? config.natsUrl,
      user: str('user') ?? config.natsUser,
      password: str('password') ?? config.natsPassword,
      name: `edge ${opts.name} ${opts.track}/${opts.device}`,
    },
    { log: opts.log, signal: stopping.signal },
  );
  nc.catch(() => undefined); // aborted by close()
  const close = async () => {
    stopping.abort();
    const connected = await nc.catch(() => undefined);
    await connected?.drain().catch(() => connected.close());
  };
  return { nc, outbox, clock: createEdgeClock(), close };
}
