import { createRequire } from 'node:module';
import { connect } from '@nats-io/transport-node';
import { Registry } from 'prom-client';
import type * as UWS from 'uWebSockets.js';
import { createGateway } from '../../../gateway/server.ts';
import { createReservoir, summarise } from '../stats.ts';

/**
 * Pitwall's real gateway (`createGateway`) in a process of its own, fed over NATS by pitwall-engine.ts.
 * To measure the server-side fan-out time without touching gateway/, every uWS app this process creates gets its
 * `publish` timed: the time from the hub's publish call to its return is when uWS has written (or queued, over
 * backpressure) the frame on the last subscribed socket. `stats` over IPC returns and resets those samples.
 */
const require = createRequire(import.meta.url);
const uws = require('uWebSockets.js') as typeof UWS;
const nativeApp = uws.App;
const publishUs = createReservoir(20_000);
const timedApp = ((...args: Parameters<typeof uws.App>) => {
  const app = nativeApp(...args);
  const publish = app.publish.bind(app);
  app.publish = (topic, message, isBinary, compress) => {
    const t0 = process.hrtime.bigint();
    const result = publish(topic, message, isBinary, compress);
    publishUs.add(Number(process.hrtime.bigint() - t0) / 1000);
    return result;
  };
  return app;
}) as typeof uws.App;
// The gateway refuses to start unless uws.App looks native: the wrapper keeps the native function's text.
timedApp.toString = () => nativeApp.toString();
uws.App = timedApp;

const nc = await connect({ servers: process.env.NATS_URL, user: process.env.NATS_USER, pass: process.env.NATS_PASS, name: 'bench-gateway' });
const gateway = await createGateway({ nc, registry: new Registry(), log: (line) => process.stderr.write(`${line}\n`) },
  { host: '127.0.0.1', port: 0 });
process.send?.({ type: 'ready', port: gateway.port });
const stop = async (code: number) => {
  await gateway.stop();
  await nc.close();
  process.exit(code);
};
setTimeout(() => void stop(3), 30 * 60_000).unref();
process.on('disconnect', () => void stop(0));
process.on('message', (m: { cmd: string }) => {
  if (m.cmd === 'stats') process.send?.({ type: 'stats', stats: { publish: summarise(publishUs.take()) } });
  if (m.cmd === 'stop') void stop(0);
});
