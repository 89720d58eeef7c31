import fs from 'node:fs';
import path from 'node:path';
import { foldSession } from '../../../actors/session-actor.ts';
import { createClickHouseHttp } from '../../clickhouse/http.ts';
import { readArchivedInputs } from '../../race-archive.ts';
import { scoreOutput, scoreTable } from '../../score/output.ts';
import { readStackAddresses } from '../../stack.ts';
import { UsageError } from '../../errors.ts';
import type { Command } from '../command.ts';

const rebuild: Command = {
  name: 'rebuild',
  summary: "rebuild a session from the ClickHouse archive after its stream data expired",
  help: `usage: pitwall session rebuild <track> <session> --from-archive [--format json|table] [--data-dir DIR]

Reads every archived event of the session from ClickHouse race_events (in stream order), folds it with the same
session actor as live, and prints the standings as 'pitwall score' does.`,
  options: {
    'from-archive': { type: 'boolean', default: false },
    format: { type: 'string', default: 'json' },
    'data-dir': { type: 'string' },
  },
  async run({ values, positionals }, { config, out }) {
    const [track, session] = positionals;
    if (!track || !session) throw new UsageError('give the track and the session');
    if (!values['from-archive']) throw new UsageError('only --from-archive is supported: the live stream is what the engine replays itself');
    const dataDir = typeof values['data-dir'] === 'string' ? path.resolve(values['data-dir']) : config.dataDir;
    const stack = readStackAddresses(dataDir);
    const chSecrets = JSON.parse(fs.readFileSync(path.join(dataDir, 'secrets', 'clickhouse.json'), 'utf8')) as { user: string; password: string };
    const ch = createClickHouseHttp({ url: stack.clickhouse, ...chSecrets, database: stack.database });
    const inputs = await readArchivedInputs(ch, track, session);
    const declaration = inputs.find((i) => i.kind === 'declaration');
    if (!declaration || declaration.kind !== 'declaration') throw new Error(`the archive holds no events of ${track}/${session}`);
    const ref = { track, event: declaration.declaration.event, session };
    const view = foldSession(inputs, ref);
    const output = scoreOutput([{ id: session, view }]);
    out(values.format === 'table' ? scoreTable(output) : JSON.stringify(output));
    return 0;
  },
};

export const sessionCommand: Command = {
  name: 'session',
  summary: 'operate on sessions (rebuild from the archive)',
  help: '',
  options: {},
  subcommands: [rebuild],
  run: async () => 2,
};
