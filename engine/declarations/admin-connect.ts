import fs from 'node:fs';
import path from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { stackFile } from '../stack.ts';
import type { NatsSecrets } from '../servers/nats-users.ts';

/**
 * How an operator tool (`pitwall event …`) reaches NATS as the admin user: explicit (`--nats URL --user U --password
 * P`), or from the local stack of `pitwall up` — its address in `<data-dir>/run/stack.json`, the admin password in
 * `<data-dir>/secrets/nats.json`.
 */
export interface AdminConnectOptions {
  dataDir: string;
  url?: string;
  user?: string;
  password?: string;
}

export async function connectAdmin(opts: AdminConnectOptions): Promise<NatsConnection> {
  if (opts.url && opts.user && opts.password) {
    return connect({ servers: opts.url, user: opts.user, pass: opts.password, name: 'pitwall admin' });
  }
  const file = stackFile(opts.dataDir);
  if (!fs.existsSync(file)) {
    throw new Error(`no running stack in ${opts.dataDir} (start one with 'pitwall up', or pass --nats, --user and --password)`);
  }
  const stack = JSON.parse(fs.readFileSync(file, 'utf8')) as { nats: string };
  const secrets = JSON.parse(fs.readFileSync(path.join(opts.dataDir, 'secrets', 'nats.json'), 'utf8')) as NatsSecrets;
  return connect({ servers: stack.nats, user: 'admin', pass: secrets.services.admin, name: 'pitwall admin' });
}
