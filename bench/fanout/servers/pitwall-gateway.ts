import { connect } from '@nats-io/transport-node';
import { Registry, type Summary } from 'prom-client';
import { createGateway } from '../../../gateway/server.ts';
import { serveUntilStopped } from '../serve-until-stopped.ts';

/**
 * Pitwall's real gateway (`createGateway`) in a process of its own, fed over NATS by pitwall-engine.ts.
 * The server-side fan-out time is the gateway's own `pitwall_gateway_fanout_seconds`: from the first to the last
 * socket write of one event-loop turn's frames to every spectator of their session (written, or queued over
 * backpressure). `stats` over
 * IPC returns its count and quantiles since the last `stats`, and resets it.
 */
const registry = new Registry();
const nc = await connect({ servers: process.env.NATS_URL, user: process.env.NATS_USER, pass: process.env.NATS_PASS, name: 'bench-gateway' });
const gateway = await createGateway({ nc, registry, log: (line) => process.stderr.write(`${line}\n`) },
  { host: '127.0.0.1', port: 0 });
process.send?.({ type: 'ready', port: gateway.port });

/** The fan-out summary as the report reads it (milliseconds), then reset. */
async function takeFanOut() {
  const summary = registry.getSingleMetric('pitwall_gateway_fanout_seconds') as Summary;
  const { values } = await summary.get();
  summary.reset();
  const count = values.find((v) => v.metricName === 'pitwall_gateway_fanout_seconds_count')?.value ?? 0;
  const ms = (quantile: number) =>
    count === 0 ? undefined : (values.find((v) => v.labels.quantile === quantile)?.value ?? 0) * 1000;
  return { count, p50Ms: ms(0.5), p99Ms: ms(0.99), maxMs: ms(1) };
}

const stop = async (code: number) => {
  await gateway.stop();
  await nc.close();
  process.exit(code);
};
serveUntilStopped(stop, 30 * 60_000);
process.on('message', (m: { cmd: string }) => {
  if (m.cmd === 'stats') void takeFanOut().then((publish) => process.send?.({ type: 'stats', stats: { publish } }));
  // The whole registry (slow spectators, frames, connections) and this process's memory after a full collection.
  if (m.cmd === 'metrics') {
    (globalThis as { gc?: () => void }).gc?.();
    void registry.getMetricsAsJSON().then((metrics) => process.send?.({ type: 'metrics', metrics, memory: process.memoryUsage() }));
  }
});
