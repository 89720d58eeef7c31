import fs from 'node:fs';
import path from 'node:path';
import { Kvm } from '@nats-io/kv';
import type { EventDeclaration } from '../../actors/contracts/declaration.ts';
import type { Command } from '../../engine/cli/command.ts';
import { connectAdmin } from '../../engine/declarations/admin-connect.ts';
import { putDeclaration } from '../../engine/declarations/store.ts';
import { UsageError } from '../../engine/errors.ts';
import { startAgentHealth } from '../agent-health.ts';
import { AGENT_OPTIONS, AGENT_OPTIONS_HELP, openAgentProcess } from '../agent-process.ts';
import { readJsonl } from './read.ts';
import { createJsonlReplay } from './replay.ts';

export const replayJsonlCommand: Command = {
  name: 'replay-jsonl',
  summary: 'publish a JSON-lines file (docs/jsonl-format.md) to the engine as an edge device, paced by its times',
  help: `usage: pitwall edge replay-jsonl FILE [--speed N|max] [--device ID] [--track SLUG] [--apply]
                        [--data-dir DIR] [--nats URL --user U --password P] [--outbox DIR]

Publishes the file's passings (as read: transponder, chip, lane or car id) and its session changes, flags and clock
ticks to EDGE as the edge device ID, like the simulator, paced by the records' times. The engine assigns the passings
to the open session by the declared entries, as for any device. Bad lines are counted and skipped.

An edge device cannot store declarations: the file's event must already be stored ('pitwall event apply'), or pass
--apply to store the file's declaration first as the admin user. Not published (an edge device does not make these):
passings by car number, session.official, penalties, corrections and status changes; they are counted.

options:
  --speed N|max     session seconds per real second (default 1), or max: all at once (sent as fast as NATS acknowledges)
  --device ID       this edge device's id (default jsonl)
  --track SLUG      the track (default: the track of the file's declaration)
  --apply           store the file's (first) declaration in KV events first, as the admin user
${AGENT_OPTIONS_HELP}
                    (with --apply, --nats/--user/--password must be an admin user's)`,
  options: {
    speed: { type: 'string', default: '1' },
    device: { type: 'string', default: 'jsonl' },
    track: { type: 'string' },
    apply: { type: 'boolean', default: false },
    ...AGENT_OPTIONS,
  },
  async run({ values, positionals }, { config, out, err, stopRequested }) {
    const [file, ...extra] = positionals;
    if (!file || extra.length) throw new UsageError('give exactly one JSON-lines file');
    const speed = values.speed === 'max' ? 'max' : Number(values.speed);
    if (speed !== 'max' && !(speed > 0)) throw new UsageError(`--speed takes a positive number or max, got ${String(values.speed)}`);
    const read = readJsonl(fs.readFileSync(file, 'utf8'));
    for (const e of read.errors.slice(0, 10)) err(`${file}:${e.line}: ${e.problem}`);
    if (read.errors.length) err(`replay-jsonl: ${read.errors.length} bad line(s) skipped`);
    const records = read.records.map((r) => r.record);
    const declarations = records.flatMap((r) => (r.type === 'declaration' ? [r.declaration] : []));
    const track = (values.track as string | undefined) ?? declarations[0]?.track;
    if (!track) throw new UsageError(`${file} declares no event: give --track`);
    const device = String(values.device);
    const connection = {
      dataDir: typeof values['data-dir'] === 'string' ? path.resolve(values['data-dir']) : config.dataDir,
      url: (values.nats as string | undefined) ?? config.natsUrl,
      user: (values.user as string | undefined) ?? config.natsUser,
      password: (values.password as string | undefined) ?? config.natsPassword,
    };

    if (values.apply) {
      const [declaration] = declarations;
      if (!declaration) throw new UsageError(`--apply: ${file} holds no declaration`);
      if (declarations.length > 1) err(`replay-jsonl: --apply stores the first of ${declarations.length} declarations only`);
      out(`${declaration.track}/${declaration.event}: stored (revision ${await applyDeclaration(connection, declaration)})`);
    }

    const agent = await openAgentProcess(values, config, { track, device, name: 'replay-jsonl', log: err });
    out(`replay-jsonl ${path.basename(file)} → ${track} as ${device}: ${records.length} records at ${speed === 'max' ? 'maximum speed' : `${speed}×`}`);
    const replay = createJsonlReplay(
      { nc: agent.nc, outbox: agent.outbox, log: err, nowMs: Date.now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
      records,
      { track, device, speed },
    );
    const health = startAgentHealth({ nc: agent.nc, publisher: replay.publisher, clock: agent.clock, log: err }, { track, device, agent: 'replay-jsonl', extra: () => ({}) });
    void stopRequested.then(() => replay.stop());
    const summary = await replay.done;
    health.publish();
    health.stop();
    await agent.close();
    const skipped = Object.entries(summary.skipped).map(([why, n]) => `${n} ${why}`).join(', ');
    out(`replay-jsonl done: ${summary.passings} passings, ${summary.sessionMessages} session messages${skipped ? `; not published: ${skipped}` : ''}`);
    return 0;
  },
};

async function applyDeclaration(connection: Parameters<typeof connectAdmin>[0], declaration: EventDeclaration): Promise<number> {
  const nc = await connectAdmin(connection);
  try {
    return await putDeclaration(await new Kvm(nc).open('events'), declaration);
  } finally {
    await nc.close();
  }
}
