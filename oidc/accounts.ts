import { randomBytes } from 'node:crypto';
import { isRole, type EntryScope, type Role } from './claims.ts';
import { IdentityAdminError } from './errors.ts';
import { hashPassword, verifyPassword } from './password.ts';
import { keyToken, type IdentityStore } from './store.ts';

/** An organisation owns tracks and events; every account belongs to one. */
export interface Organisation {
  id: string;
  name: string;
}

/** A person who logs in: roles in their organisation; a `competitor` also names their entry. */
export interface Account {
  id: string;
  username: string;
  org: string;
  roles: Role[];
  entry?: EntryScope;
  passwordHash: string;
}

export type PublicAccount = Omit<Account, 'passwordHash'>;

const SLUG = /^[a-z0-9-]+$/;
const orgKey = (id: string) => `org.${id}`;
const accountKey = (id: string) => `account.${id}`;
const usernameKey = (username: string) => `username.${keyToken(username.toLowerCase())}`;
const INIT_KEY = 'admin.initialised';

export interface Accounts {
  addOrganisation(org: Organisation): Promise<Organisation>;
  getOrganisation(id: string): Promise<Organisation | undefined>;
  addAccount(input: { username: string; password: string; org: string; roles: Role[]; entry?: EntryScope }): Promise<PublicAccount>;
  find(id: string): Promise<PublicAccount | undefined>;
  findByUsername(username: string): Promise<PublicAccount | undefined>;
  /** The account if the password is right; undefined for an unknown name or a wrong password alike. */
  authenticate(username: string, password: string): Promise<PublicAccount | undefined>;
  setRoles(username: string, roles: Role[], entry?: EntryScope): Promise<PublicAccount>;
  /** Creates the first organisation and its first admin, once per installation. */
  init(input: { org: Organisation; username: string; password: string }): Promise<PublicAccount>;
  /** The organisation made by `init`, if any: the default for later administration. */
  defaultOrg(): Promise<string | undefined>;
}

const strip = ({ passwordHash: _, ...account }: Account): PublicAccount => account;

function checkRoles(roles: Role[], entry?: EntryScope): void {
  const bad = roles.filter((r) => !isRole(r));
  if (bad.length) throw new IdentityAdminError('invalid', `unknown role(s) ${bad.join(', ')}`);
  if (roles.includes('competitor') !== Boolean(entry)) {
    throw new IdentityAdminError('invalid', 'the competitor role needs an entry (event and number), and only it does');
  }
}

/** Accounts and organisations in KV `identity`; passwords stored as scrypt hashes. */
export function createAccounts(store: IdentityStore): Accounts {
  const getAccount = (id: string) => store.get<Account>(accountKey(id));
  const byUsername = async (username: string) => {
    const id = await store.get<string>(usernameKey(username));
    return id === undefined ? undefined : getAccount(id);
  };
  const accounts: Accounts = {
    async addOrganisation(org) {
      if (!SLUG.test(org.id)) throw new IdentityAdminError('invalid', `organisation ids are slugs [a-z0-9-]+, got ${JSON.stringify(org.id)}`);
      if (!(await store.create(orgKey(org.id), org))) throw new IdentityAdminError('exists', `organisation ${org.id} exists already`);
      return org;
    },
    getOrganisation: (id) => (SLUG.test(id) ? store.get<Organisation>(orgKey(id)) : Promise.resolve(undefined)),
    async addAccount({ username, password, org, roles, entry }) {
      if (!username.trim()) throw new IdentityAdminError('invalid', 'a username must not be empty');
      if (password.length < 8) throw new IdentityAdminError('invalid', 'a password needs at least 8 characters');
      checkRoles(roles, entry);
      if (!(await accounts.getOrganisation(org))) throw new IdentityAdminError('not-found', `no organisation ${org}`);
      const account: Account = { id: randomBytes(12).toString('hex'), username, org, roles, ...(entry && { entry }), passwordHash: await hashPassword(password) };
      if (!(await store.create(usernameKey(username), account.id))) throw new IdentityAdminError('exists', `user ${username} exists already`);
      await store.put(accountKey(account.id), account);
      return strip(account);
    },
    find: async (id) => {
      const account = /^[0-9a-f]+$/.test(id) ? await getAccount(id) : undefined;
      return account && strip(account);
    },
    findByUsername: async (username) => {
      const account = await byUsername(username);
      return account && strip(account);
    },
    async authenticate(username, password) {
      const account = await byUsername(username);
      if (!account) {
        await hashPassword(password); // same work either way: no timing hint that the name exists
        return undefined;
      }
      return (await verifyPassword(password, account.passwordHash)) ? strip(account) : undefined;
    },
    async setRoles(username, roles, entry) {
      checkRoles(roles, entry);
      const account = await byUsername(username);
      if (!account) throw new IdentityAdminError('not-found', `no user ${username}`);
      const { entry: _, ...rest } = account;
      const updated: Account = { ...rest, roles, ...(entry && { entry }) };
      await store.put(accountKey(account.id), updated);
      return strip(updated);
    },
    async init({ org, username, password }) {
      if (!(await store.create(INIT_KEY, { org: org.id, username }))) {
        throw new IdentityAdminError('already-initialised', 'this installation has its first admin already (use `pitwall admin user add`)');
      }
      await accounts.addOrganisation(org);
      return accounts.addAccount({ username, password, org: org.id, roles: ['admin'] });
    },
    defaultOrg: async () => (await store.get<{ org: string }>(INIT_KEY))?.org,
  };
  return accounts;
}
