import path from 'node:path';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectAdmin } from '../../declarations/admin-connect.ts';
import { describeDiff, diffDeclarations } from '../../declarations/diff.ts';
import { readDeclarationFile } from '../../declarations/read.ts';
import { getDeclaration, putDeclaration } from '../../declarations/store.ts';
import { UsageError } from '../../errors.ts';
import type { Command, CommandArgs, CommandContext } from '../command.ts';

/** `pitwall event apply|show`: event declarations in KV `events`, as the admin user (docs/event-format.md). */

const connectionOptions = {
  'data-dir': { type: 'string' },
  nats: { type: 'string' },
  user: { type: 'string' },
  password: { type: 'string' },
} as const;
const connectionHelp = `  --data-dir DIR    a local stack started by 'pitwall up' (default PITWALL_DATA_DIR or var/)
  --nats URL --user U --password P   a remote NATS as an admin user instead (or PITWALL_NATS_URL, _USER, _PASSWORD)`;

async function withEvents<T>({ values }: CommandArgs, { config }: CommandContext, use: (kv: Awaited<ReturnType<Kvm['open']>>) => Promise<T>): Promise<T> {
  const nc: NatsConnection = await connectAdmin({
    dataDir: typeof values['data-dir'] === 'string' ? path.resolve(values['data-dir']) : config.dataDir,
    url: (values.nats as string | undefined) ?? config.natsUrl,
    user: (values.user as string | undefined) ?? config.natsUser,
    password: (values.password as string | undefined) ?? config.natsPassword,
  });
  try {
    return await use(await new Kvm(nc).open('events'));
  } finally {
    await nc.close();
  }
}

const applyCommand: Command = {
  name: 'apply',
  summary: 'validate an event declaration and store it (open sessions of the event follow it live)',
  help: `usage: pitwall event apply FILE [--data-dir DIR] [--nats URL --user U --password P]

Validates the declaration (docs/event-format.md; every problem is listed) and stores it in KV events under
<track>.<event>. Prints what changed against the stored version: sessions and entries added, removed, changed.
Open sessions of the event get the new declaration at once (a transponder added mid-session starts counting).

options:
${connectionHelp}`,
  options: connectionOptions,
  async run(args, ctx) {
    const [file, ...extra] = args.positionals;
    if (!file || extra.length > 0) throw new UsageError('give one declaration file');
    const declaration = readDeclarationFile(file);
    return withEvents(args, ctx, async (kv) => {
      const before = await getDeclaration(kv, declaration.track, declaration.event).catch(() => undefined);
      const revision = await putDeclaration(kv, declaration);
      ctx.out(`${declaration.track}/${declaration.event}: ${before ? 'updated' : 'created'} (revision ${revision})`);
      for (const line of describeDiff(diffDeclarations(before, declaration))) ctx.out(`  ${line}`);
      return 0;
    });
  },
};

const showCommand: Command = {
  name: 'show',
  summary: 'print the stored declaration of an event as JSON',
  help: `usage: pitwall event show TRACK EVENT [--data-dir DIR] [--nats URL --user U --password P]

options:
${connectionHelp}`,
  options: connectionOptions,
  async run(args, ctx) {
    const [track, event, ...extra] = args.positionals;
    if (!track || !event || extra.length > 0) throw new UsageError('give the track and the event');
    return withEvents(args, ctx, async (kv) => {
      const declaration = await getDeclaration(kv, track, event);
      if (!declaration) {
        ctx.err(`no declaration of ${track}/${event}`);
        return 1;
      }
      ctx.out(JSON.stringify(declaration, null, 2));
      return 0;
    });
  },
};

export const eventCommand: Command = {
  name: 'event',
  summary: 'apply and show event declarations (sessions, entries, rules)',
  help: '',
  options: {},
  subcommands: [applyCommand, showCommand],
  run: async () => 2, // never called: main.ts runs the sub-command
};
