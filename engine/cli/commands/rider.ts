import qrcode from 'qrcode-terminal';
import { requestClientToken } from '../../../oidc/client-token.ts';
import type { EntryScope } from '../../../oidc/claims.ts';
import { issueRiderCredentials, revokeRider, revokeTraccarKey, revokeTraccarKeys } from '../../../oidc/riders.ts';
import { UsageError } from '../../errors.ts';
import type { Command, CommandArgs } from '../command.ts';
import { dataDirOption, openLocalIdentity } from './admin.ts';

const qr = (text: string) => new Promise<string>((resolve) => qrcode.generate(text, { small: true }, resolve));

type LocalIdentity = Awaited<ReturnType<typeof openLocalIdentity>>;

/** Runs `fn` with the local stack's KV `identity` (the data directory of --data-dir or the configuration). */
async function withLocalIdentity<T>(values: CommandArgs['values'], dataDir: string, fn: (id: LocalIdentity) => Promise<T>): Promise<T> {
  const id = await openLocalIdentity(typeof values['data-dir'] === 'string' ? values['data-dir'] : dataDir);
  try {
    return await fn(id);
  } finally {
    await id.nc.close();
  }
}

/** EVENT and NUMBER from the positionals. */
function entryOf(positionals: string[]): EntryScope {
  const [event, number] = positionals;
  if (!event || number === undefined) throw new UsageError('EVENT and NUMBER are required');
  return { event, number };
}

/**
 * New rider credentials from the local stack's identity provider: a competitor token for the entry and a new device
 * key (the entry's earlier device keys are revoked). Shared by `pitwall rider token` and `pitwall edge gps`.
 */
export async function issueLocalRiderCredentials(id: LocalIdentity, org: string | undefined, entry: EntryScope): Promise<{ token: string; traccarDeviceKey: string }> {
  if (!id.stack.identity) throw new Error('the running stack has no identity provider address in run/stack.json');
  const owner = org ?? await id.accounts.defaultOrg();
  if (!owner) throw new UsageError("--org is required (no 'pitwall admin init' yet)");
  const { client, traccarDeviceKey } = await issueRiderCredentials(id.store, { org: owner, entry });
  return { token: await requestClientToken(id.stack.identity.replace(/\/$/, ''), client), traccarDeviceKey };
}

const orgOf = (values: CommandArgs['values']) => (typeof values.org === 'string' ? values.org : undefined);

const tokenCommand: Command = {
  name: 'token',
  summary: "a competitor's token and Traccar device key for one entry, also as QR codes",
  help: `usage: pitwall rider token EVENT NUMBER [--org ID] [--no-qr] [--data-dir DIR]

Issues, from the local stack's identity provider, an access token with the competitor role for entry NUMBER of
EVENT (NUMBER exactly as declared: "05" is not "5"), and a new random Traccar device key for that entry. Both are
printed, and shown as QR codes for the rider's phone. --org defaults to the organisation of 'pitwall admin init'.
One phone per entry: the entry's earlier device keys stop working, and so does the earlier token's client secret
(tokens already issued stay valid until they expire).`,
  options: { ...dataDirOption, org: { type: 'string' }, 'no-qr': { type: 'boolean' } },
  async run({ values, positionals }, { config, out }) {
    const entry = entryOf(positionals);
    const { token, traccarDeviceKey, riderPage } = await withLocalIdentity(values, config.dataDir, async (id) =>
      ({ ...await issueLocalRiderCredentials(id, orgOf(values), entry), riderPage: id.stack.spectators && new URL('/rider', id.stack.spectators).href }));
    out(`token ${token}`);
    out(`traccar-device-key ${traccarDeviceKey}`);
    if (riderPage) out(`rider-page ${riderPage} (phones: through the HTTPS proxy, docs/https.md; Traccar Client: docs/riders.md)`);
    if (!values['no-qr']) {
      out(`\ntoken:\n${await qr(token)}`);
      out(`traccar device key:\n${await qr(traccarDeviceKey)}`);
    }
    return 0;
  },
};

const revokeCommand: Command = {
  name: 'revoke',
  summary: "revokes an entry's Traccar device keys and its token client",
  help: `usage: pitwall rider revoke EVENT NUMBER [--org ID] [--keys-only] [--data-dir DIR]

Revokes every Traccar device key of entry NUMBER of EVENT (of organisation --org only, when given): the gateway
refuses them from now on (403). Also deletes the entry's rider client, so no new token can be issued with the old
secret, unless --keys-only. An access token already issued stays valid until it expires (it is a signed JWT the
gateway checks on its own; riders' tokens live 3 days by default): a new 'pitwall rider token' for the same entry
is the way to move a rider to another phone.`,
  options: { ...dataDirOption, org: { type: 'string' }, 'keys-only': { type: 'boolean' } },
  async run({ values, positionals }, { config, out }) {
    const entry = entryOf(positionals);
    const input = { entry, ...(orgOf(values) !== undefined && { org: orgOf(values) }) };
    const what = `${entry.event} #${entry.number}`;
    await withLocalIdentity(values, config.dataDir, async (id) => {
      if (values['keys-only']) return out(`revoked ${await revokeTraccarKeys(id.store, input)} device key(s) of ${what}`);
      const revoked = await revokeRider(id.store, input);
      out(`revoked ${revoked.deviceKeys} device key(s) of ${what}; rider client ${revoked.client ? 'deleted' : 'absent'}`);
    });
    return 0;
  },
};

const revokeKeyCommand: Command = {
  name: 'revoke-key',
  summary: 'revokes one Traccar device key',
  help: `usage: pitwall rider revoke-key KEY [--data-dir DIR]

Revokes one Traccar device key (as printed by 'pitwall rider token'). Exit status 1 when it is not a live key.`,
  options: { ...dataDirOption },
  async run({ values, positionals }, { config, out, err }) {
    const [key] = positionals;
    if (!key) throw new UsageError('KEY is required');
    const device = await withLocalIdentity(values, config.dataDir, (id) => revokeTraccarKey(id.store, key));
    if (!device) {
      err(`no live device key ${key.slice(0, 4)}…`);
      return 1;
    }
    out(`revoked the device key of ${device.entry.event} #${device.entry.number} (${device.org})`);
    return 0;
  },
};

/** `pitwall rider …`: credentials for competitors. */
export const riderCommand: Command = {
  name: 'rider',
  summary: "competitors' tokens and Traccar device keys",
  help: '',
  options: {},
  subcommands: [tokenCommand, revokeCommand, revokeKeyCommand],
  run: async () => 2,
};
