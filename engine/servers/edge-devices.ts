import fs from 'node:fs';
import path from 'node:path';
import { connect } from '@nats-io/transport-node';
import { addEdgeDevice, loadOrCreateSecrets, renderUsersConf, saveSecrets, type NatsCredentials } from './nats-users.ts';

export const natsSecretsFile = (dataDir: string) => path.join(dataDir, 'secrets', 'nats.json');
export const natsUsersFile = (dataDir: string) => path.join(dataDir, 'nats', 'users.conf');

/**
 * Gives an edge device its own NATS user on a running local server: records it in the secrets file, rewrites
 * users.conf, signals nats-server to reload, and waits until the device can log in. Idempotent.
 */
export async function registerEdgeDevice(opts: {
  dataDir: string;
  natsUrl: string;
  natsPid: number;
  track: string;
  device: string;
}): Promise<NatsCredentials> {
  const secrets = loadOrCreateSecrets(natsSecretsFile(opts.dataDir));
  const known = secrets.devices.length;
  const credentials = addEdgeDevice(secrets, opts.track, opts.device);
  if (secrets.devices.length === known) return credentials;
  saveSecrets(natsSecretsFile(opts.dataDir), secrets);
  fs.writeFileSync(natsUsersFile(opts.dataDir), renderUsersConf(secrets), { mode: 0o600 });
  process.kill(opts.natsPid, 'SIGHUP');
  await waitForLogin(opts.natsUrl, credentials);
  return credentials;
}

/** A reload is asynchronous: poll until the new user is accepted. */
async function waitForLogin(url: string, credentials: NatsCredentials): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      await (await connect({ servers: url, ...credentials, reconnect: false })).close();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`nats-server did not accept ${credentials.user} after reload`, { cause: err });
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
