import fs from 'node:fs';
import path from 'node:path';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { createAccounts, type Accounts, type PublicAccount } from '../../../oidc/accounts.ts';
import { isRole, type EntryScope, type Role } from '../../../oidc/claims.ts';
import { createIdentityStore, type IdentityStore } from '../../../oidc/store.ts';
import { UsageError } from '../../errors.ts';
import { natsSecretsFile } from '../../servers/edge-devices.ts';
import { loadOrCreateSecrets, serviceCredentials } from '../../servers/nats-users.ts';
import { stackFile } from '../../stack.ts';
import type { Command, CommandArgs } from '../command.ts';
import { randomPassword } from '../../random-password.ts';

/** What `pitwall up` wrote in `<data-dir>/run/stack.json` (the identity URL once the stack starts the provider). */
export interface LocalStack {
  nats: string;
  natsPid: number;
  identity?: string;
  /** The spectator gateway's address (`http://127.0.0.1:<port>/`). */
  spectators?: string;
}

export function readLocalStack(dataDir: string): LocalStack {
  const file = stackFile(dataDir);
  if (!fs.existsSync(file)) throw new Error(`no running stack in ${dataDir} (start one with 'pitwall up')`);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as LocalStack;
}

/** KV `identity` of the local stack, through its admin NATS user. Close `nc` when done. */
export async function openLocalIdentity(dataDir: string): Promise<{ nc: NatsConnection; store: IdentityStore; accounts: Accounts; stack: LocalStack }> {
  const stack = readLocalStack(dataDir);
  const secretsFile = natsSecretsFile(dataDir);
  if (!fs.existsSync(secretsFile)) throw new Error(`no NATS secrets in ${path.dirname(secretsFile)}`);
  const nc = await connect({ servers: stack.nats, ...serviceCredentials(loadOrCreateSecrets(secretsFile), 'admin'), name: 'pitwall admin' });
  const store = createIdentityStore(await new Kvm(nc).open('identity'));
  return { nc, store, accounts: createAccounts(store), stack };
}

export const dataDirOption = { 'data-dir': { type: 'string' } } as const;
const dataDirOf = (values: CommandArgs['values'], fallback: string) => (typeof values['data-dir'] === 'string' ? values['data-dir'] : fallback);

/** `--role` (repeatable) and `--entry EVENT/NUMBER` into roles and an entry. */
export function parseRoles(values: CommandArgs['values']): { roles: Role[]; entry?: EntryScope } {
  const raw = values.role;
  const roles = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map(String);
  const bad = roles.filter((r) => !isRole(r));
  if (!roles.length || bad.length) throw new UsageError(`--role must be one of admin, race-control, timing, viewer, competitor${bad.length ? ` (got ${bad.join(', ')})` : ''}`);
  const entryArg = typeof values.entry === 'string' ? values.entry : undefined;
  const slash = entryArg?.indexOf('/') ?? -1;
  if (entryArg !== undefined && slash <= 0) throw new UsageError('--entry is EVENT/NUMBER, e.g. summer-2025/05');
  const entry = entryArg ? { event: entryArg.slice(0, slash), number: entryArg.slice(slash + 1) } : undefined;
  return { roles: roles as Role[], ...(entry && { entry }) };
}

/** A password from the first line of standard input (`--password-stdin`), else a new random one shown once. */
async function passwordFrom(values: CommandArgs['values']): Promise<{ password: string; generated: boolean }> {
  if (values['password-stdin']) {
    let input = '';
    for await (const chunk of process.stdin) input += chunk;
    const password = input.split('\n')[0] ?? '';
    if (!password) throw new UsageError('--password-stdin: no password on standard input');
    return { password, generated: false };
  }
  return { password: randomPassword(16), generated: true };
}

const describe = (a: PublicAccount) => `${a.username} (${a.org}: ${a.roles.join(', ')}${a.entry ? ` for ${a.entry.event} #${a.entry.number}` : ''})`;

/** Runs `fn` against the local stack's KV `identity`, closing the connection afterwards. */
async function withIdentity<T>(values: CommandArgs['values'], fallbackDir: string, fn: (id: Awaited<ReturnType<typeof openLocalIdentity>>) => Promise<T>): Promise<T> {
  const id = await openLocalIdentity(dataDirOf(values, fallbackDir));
  try {
    return await fn(id);
  } finally {
    await id.nc.close();
  }
}

const initCommand: Command = {
  name: 'init',
  summary: 'create the first organisation and its first admin',
  help: `usage: pitwall admin init --org ID [--org-name NAME] --user NAME [--password-stdin] [--data-dir DIR]

Creates the installation's first organisation and an admin account in it, once. The password is read from the
first line of standard input with --password-stdin, otherwise a random one is made and printed once.`,
  options: { ...dataDirOption, org: { type: 'string' }, 'org-name': { type: 'string' }, user: { type: 'string' }, 'password-stdin': { type: 'boolean' } },
  async run({ values }, { config, out }) {
    const org = values.org;
    const user = values.user;
    if (typeof org !== 'string' || typeof user !== 'string') throw new UsageError('--org and --user are required');
    const { password, generated } = await passwordFrom(values);
    const account = await withIdentity(values, config.dataDir, ({ accounts }) =>
      accounts.init({ org: { id: org, name: typeof values['org-name'] === 'string' ? values['org-name'] : org }, username: user, password }),
    );
    out(`organisation ${org} created; admin ${describe(account)}`);
    if (generated) out(`password ${password}`);
    return 0;
  },
};

const userAddCommand: Command = {
  name: 'add',
  summary: 'add an official (or a competitor) to an organisation',
  help: `usage: pitwall admin user add NAME --role ROLE [--role ROLE…] [--entry EVENT/NUMBER] [--org ID] [--password-stdin] [--data-dir DIR]

Roles: admin, race-control, timing, viewer, competitor (with --entry, e.g. --entry summer-2025/05).
--org defaults to the organisation made by 'pitwall admin init'. The password is read from standard input with
--password-stdin, otherwise a random one is made and printed once.`,
  options: { ...dataDirOption, role: { type: 'string', multiple: true }, entry: { type: 'string' }, org: { type: 'string' }, 'password-stdin': { type: 'boolean' } },
  async run({ values, positionals }, { config, out }) {
    const [username] = positionals;
    if (!username) throw new UsageError('the username is required');
    const scope = parseRoles(values);
    const { password, generated } = await passwordFrom(values);
    const account = await withIdentity(values, config.dataDir, async ({ accounts }) => {
      const org = typeof values.org === 'string' ? values.org : await accounts.defaultOrg();
      if (!org) throw new UsageError("--org is required (no 'pitwall admin init' yet)");
      return accounts.addAccount({ username, password, org, ...scope });
    });
    out(`user ${describe(account)} added`);
    if (generated) out(`password ${password}`);
    return 0;
  },
};

const userRoleCommand: Command = {
  name: 'role',
  summary: "set a user's roles (replacing the old ones)",
  help: `usage: pitwall admin user role NAME --role ROLE [--role ROLE…] [--entry EVENT/NUMBER] [--data-dir DIR]

Replaces the user's roles in their organisation. Tokens already issued keep their roles until they expire.`,
  options: { ...dataDirOption, role: { type: 'string', multiple: true }, entry: { type: 'string' } },
  async run({ values, positionals }, { config, out }) {
    const [username] = positionals;
    if (!username) throw new UsageError('the username is required');
    const { roles, entry } = parseRoles(values);
    const account = await withIdentity(values, config.dataDir, ({ accounts }) => accounts.setRoles(username, roles, entry));
    out(`user ${describe(account)}`);
    return 0;
  },
};

const userCommand: Command = {
  name: 'user',
  summary: 'add users and set their roles',
  help: '',
  options: {},
  subcommands: [userAddCommand, userRoleCommand],
  run: async () => 2, // main.ts runs the sub-command
};

/** `pitwall admin …`: accounts and organisations in the local stack's identity provider. */
export const adminCommand: Command = {
  name: 'admin',
  summary: 'identity administration: the first admin, users and their roles',
  help: '',
  options: {},
  subcommands: [initCommand, userCommand],
  run: async () => 2,
};
