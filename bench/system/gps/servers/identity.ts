import { connect } from '@nats-io/transport-node';
import { startIdentityProvider } from '../../../../oidc/provider.ts';
import { serveUntilStopped } from '../../../fanout/serve-until-stopped.ts';

/**
 * Pitwall's real identity provider (oidc/provider.ts) in a process of its own, as the `identity` NATS user: it signs
 * the riders' and race control's access tokens (client-credentials grant) and serves the JWKS the gateway checks
 * them with. Says `ready` with its issuer and JWKS URL over IPC; stops on `stop`, on disconnect, or after LIFETIME_MS.
 */
const nc = await connect({ servers: process.env.NATS_URL, user: process.env.NATS_USER, pass: process.env.NATS_PASS, name: 'bench-identity' });
const idp = await startIdentityProvider({ nc, log: (line) => process.stderr.write(`${line}\n`) }, { port: 0 });
process.send?.({ type: 'ready', issuer: idp.issuer, jwksUrl: idp.jwksUrl });

const stop = async (code: number) => {
  await idp.stop();
  await nc.close();
  process.exit(code);
};
serveUntilStopped(stop, Number(process.env.LIFETIME_MS ?? 600_000));
