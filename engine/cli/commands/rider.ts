import qrcode from 'qrcode-terminal';
import { requestClientToken } from '../../../oidc/client-token.ts';
import { issueRiderCredentials } from '../../../oidc/riders.ts';
import { UsageError } from '../../errors.ts';
import type { Command } from '../command.ts';
import { dataDirOption, openLocalIdentity } from './admin.ts';

const qr = (text: string) => new Promise<string>((resolve) => qrcode.generate(text, { small: true }, resolve));

const tokenCommand: Command = {
  name: 'token',
  summary: "a competitor's token and Traccar device key for one entry, also as QR codes",
  help: `usage: pitwall rider token EVENT NUMBER [--org ID] [--no-qr] [--data-dir DIR]

Issues, from the local stack's identity provider, an access token with the competitor role for entry NUMBER of
EVENT (NUMBER exactly as declared: "05" is not "5"), and a new random Traccar device key for that entry. Both are
printed, and shown as QR codes for the rider's phone. --org defaults to the organisation of 'pitwall admin init'.`,
  options: { ...dataDirOption, org: { type: 'string' }, 'no-qr': { type: 'boolean' } },
  async run({ values, positionals }, { config, out }) {
    const [event, number] = positionals;
    if (!event || number === undefined) throw new UsageError('EVENT and NUMBER are required');
    const id = await openLocalIdentity(typeof values['data-dir'] === 'string' ? values['data-dir'] : config.dataDir);
    try {
      if (!id.stack.identity) throw new Error('the running stack has no identity provider address in run/stack.json');
      const org = typeof values.org === 'string' ? values.org : await id.accounts.defaultOrg();
      if (!org) throw new UsageError("--org is required (no 'pitwall admin init' yet)");
      const { client, traccarDeviceKey } = await issueRiderCredentials(id.store, { org, entry: { event, number } });
      const token = await requestClientToken(id.stack.identity.replace(/\/$/, ''), client);
      out(`token ${token}`);
      out(`traccar-device-key ${traccarDeviceKey}`);
      if (!values['no-qr']) {
        out(`\ntoken:\n${await qr(token)}`);
        out(`traccar device key:\n${await qr(traccarDeviceKey)}`);
      }
      return 0;
    } finally {
      await id.nc.close();
    }
  },
};

/** `pitwall rider …`: credentials for competitors. */
export const riderCommand: Command = {
  name: 'rider',
  summary: "competitors' tokens and Traccar device keys",
  help: '',
  options: {},
  subcommands: [tokenCommand],
  run: async () => 2,
};
