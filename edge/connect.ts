import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { readStackAddresses } from '../engine/stack.ts';
import { registerEdgeDevice } from '../engine/servers/edge-devices.ts';
import type { NatsCredentials } from '../engine/servers/nats-users.ts';

/**
 * How an edge agent reaches NATS as its own device user (allowed to publish only `edge.<track>.<device>.>`).
 *
 * Either explicit (`--nats URL --user U --password P`, or PITWALL_NATS_URL/_USER/_PASSWORD) for a device in the field,
 * or, on the machine that runs `pitwall up`, from the local data directory: the device user is created on first use
 * (secrets file, users.conf, and a reload signal to the running nats-server).
 */
export interface EdgeConnectOptions {
  track: string;
  device: string;
  dataDir: string;
  url?: string;
  user?: string;
  password?: string;
  /** Shown in the server's connection list. */
  name?: string;
}

export async function connectEdge(opts: EdgeConnectOptions): Promise<NatsConnection> {
  const { url, credentials } = opts.url && opts.user && opts.password
    ? { url: opts.url, credentials: { user: opts.user, pass: opts.password } }
    : await localDevice(opts);
  return connect({
    servers: url,
    ...credentials,
    name: opts.name ?? `edge ${opts.track}/${opts.device}`,
    maxReconnectAttempts: -1, // track-side networks drop: keep trying
    reconnectTimeWait: 1000,
  });
}

/**
 * Connects, retrying every `retryMs` while NATS cannot be reached (an agent started before the network is up), until
 * `signal` aborts. The agent takes readings into its outbox meanwhile.
 */
export async function connectEdgeWhenReachable(
  opts: EdgeConnectOptions,
  deps: { log: (line: string) => void; signal: AbortSignal; retryMs?: number },
): Promise<NatsConnection> {
  for (let attempt = 0; ; attempt++) {
    try {
      const nc = await connectEdge(opts);
      if (attempt > 0) deps.log(`edge ${opts.track}/${opts.device}: NATS reached after ${attempt} attempts`);
      return nc;
    } catch (err) {
      if (attempt === 0) deps.log(`edge ${opts.track}/${opts.device}: NATS unreachable (${(err as Error).message}); retrying, readings are kept meanwhile`);
      await sleep(deps.retryMs ?? 1000, undefined, { signal: deps.signal });
    }
  }
}

async function localDevice(opts: EdgeConnectOptions): Promise<{ url: string; credentials: NatsCredentials }> {
  const stack = readStackAddresses(opts.dataDir);
  const credentials = await registerEdgeDevice({ dataDir: opts.dataDir, natsUrl: stack.nats, natsPid: stack.natsPid, track: opts.track, device: opts.device });
  return { url: stack.nats, credentials };
}
