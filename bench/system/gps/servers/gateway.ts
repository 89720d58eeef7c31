import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import { connect } from '@nats-io/transport-node';
import { Registry } from 'prom-client';
import { createTokenVerifier } from '../../../../gateway/auth/verifier.ts';
import { createGateway } from '../../../../gateway/server.ts';
import { GATEWAY_AUDIENCE } from '../../../../oidc/claims.ts';
import { serveUntilStopped } from '../../../fanout/serve-until-stopped.ts';

/**
 * Pitwall's real gateway (`createGateway`) in a process of its own, as the `gateway` NATS user, checking tokens
 * against the identity provider's JWKS (ISSUER, JWKS_URL): riders' endpoints, race control's REST commands and the
 * spectators' WebSocket all in this one process, whose CPU the scenario meters. Says `ready` with its port.
 */
const nc = await connect({ servers: process.env.NATS_URL, user: process.env.NATS_USER, pass: process.env.NATS_PASS, name: 'bench-gateway' });
const verifier = createTokenVerifier({ jwksUrl: process.env.JWKS_URL!, issuer: process.env.ISSUER!, audience: GATEWAY_AUDIENCE });
// Lines are rare (refusals, errors); they go to stderr, which the runner passes through.
const gateway = await createGateway({ nc, registry: new Registry(), verifier, log: (line) => process.stderr.write(`${line}\n`) },
  { host: '127.0.0.1', port: 0 });
process.send?.({ type: 'ready', port: gateway.port });

// GPS_PROFILE=<file>: a V8 CPU profile of the whole run, for finding where a fix's CPU goes (chrome://inspect, speedscope).
const profiler = process.env.GPS_PROFILE ? new Session() : undefined;
if (profiler) {
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.start');
}

const stop = async (code: number) => {
  if (profiler) fs.writeFileSync(process.env.GPS_PROFILE!, JSON.stringify((await profiler.post('Profiler.stop')).profile));
  await gateway.stop();
  await nc.close();
  process.exit(code);
};
serveUntilStopped(stop, Number(process.env.LIFETIME_MS ?? 600_000));
