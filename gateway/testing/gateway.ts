import { Registry } from 'prom-client';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Test } from 'tap';
import WebSocket from 'ws';
import { createTimingClient, type TimingClient, type TimingClientOptions, type TimingClientStatus } from '../client/timing-client.ts';
import { createGateway, type Gateway, type GatewayDeps, type GatewayOptions } from '../server.ts';

export interface TestGateway {
  gateway: Gateway;
  registry: Registry;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `ws://127.0.0.1:<port>/ws` */
  wsUrl: string;
  /** The value of one sample of `/metrics` (fetched over HTTP, as Prometheus would), 0 when absent. */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
}

/** A gateway on a random loopback port with its own registry, stopped at teardown. Log lines become comments. */
export async function startTestGateway(t: Test, nc: NatsConnection, opts: Partial<GatewayOptions> = {},
  deps: Pick<GatewayDeps, 'clickhouse' | 'verifier' | 'loginIssuer'> = {}): Promise<TestGateway> {
  const registry = new Registry();
  const gateway = await createGateway({ nc, registry, log: (line) => t.comment(line), ...deps }, { host: '127.0.0.1', port: 0, ...opts });
  t.teardown(() => gateway.stop());
  const url = `http://127.0.0.1:${gateway.port}`;
  return {
    gateway,
    registry,
    url,
    wsUrl: `ws://127.0.0.1:${gateway.port}/ws`,
    async metric(name, labels = {}) {
      const text = await (await fetch(`${url}/metrics`)).text();
      const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',');
      const prefix = wanted ? `${name}{${wanted}} ` : `${name} `;
      const line = text.split('\n').find((l) => l.startsWith(prefix));
      return line ? Number(line.slice(prefix.length)) : 0;
    },
  };
}

/** A Node timing client (with the ws package) that records its statuses; closed at teardown. */
export function startTestClient(t: Test, wsUrl: string, opts: Partial<TimingClientOptions> = {}): TimingClient & { statuses: TimingClientStatus[] } {
  const statuses: TimingClientStatus[] = [];
  const client = createTimingClient({
    url: wsUrl,
    WebSocket,
    backoff: { initialMs: 50, maxMs: 500 },
    ...opts,
    onStatus: (s) => {
      statuses.push(s);
      opts.onStatus?.(s);
    },
  });
  t.teardown(() => client.close());
  return Object.assign(client, { statuses });
}
