import { connect } from '@nats-io/transport-node';
import { Registry } from 'prom-client';
import { createGateway } from '../server.ts';

/**
 * A gateway in a process of its own, for tests that need a fresh environment (UWS_USE_FALLBACK):
 * `node --import tsx gateway/testing/run-gateway.ts` with NATS_URL, NATS_USER, NATS_PASS set.
 * Prints `listening <port>` when up; SIGTERM stops it (exit 0). A start-up error goes to stderr, exit 1.
 */
const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

try {
  const nc = await connect({ servers: env('NATS_URL'), user: env('NATS_USER'), pass: env('NATS_PASS') });
  try {
    const gateway = await createGateway({ nc, registry: new Registry(), log: (line) => process.stderr.write(`${line}\n`) },
      { host: '127.0.0.1', port: 0 });
    process.stdout.write(`listening ${gateway.port}\n`);
    process.once('SIGTERM', () => {
      void gateway.stop().then(() => nc.close()).then(() => process.exit(0));
    });
  } catch (error) {
    await nc.close();
    throw error;
  }
} catch (error) {
  process.stderr.write(`${(error as Error).name}: ${(error as Error).message}\n`);
  process.exit(1);
}
