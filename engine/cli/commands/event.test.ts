import fs from 'node:fs';
import path from 'node:path';
import { Kvm } from '@nats-io/kv';
import t from 'tap';
import { stringify } from 'yaml';
import { readDeclarationFile } from '../../declarations/read.ts';
import { getDeclaration } from '../../declarations/store.ts';
import { DEMO_EVENT_FILE } from '../../demo.ts';
import { stackFile } from '../../stack.ts';
import { runPitwall } from '../../testing/cli.ts';
import { startTestNats } from '../../testing/nats.ts';

t.test('event apply stores a declaration and prints what changed; event show prints it back', async (t) => {
  const nats = await startTestNats(t);
  // The test server's data directory holds secrets/nats.json; a stack file makes it look like `pitwall up`'s.
  fs.mkdirSync(path.dirname(stackFile(nats.dataDir)), { recursive: true });
  fs.writeFileSync(stackFile(nats.dataDir), JSON.stringify({ nats: nats.server.url }));
  const local = ['--data-dir', nats.dataDir];
  const demo = readDeclarationFile(DEMO_EVENT_FILE);
  const file = path.join(nats.dataDir, 'event.yaml');

  const first = await runPitwall(['event', 'apply', DEMO_EVENT_FILE, ...local]);
  t.equal(first.code, 0, first.stderr);
  t.match(first.stdout, /^demo-park\/demo-day: created \(revision 1\)\n  sessions added: practice, race-1, race-2\n  entries added: 34, 26, 00,/);

  const changed = {
    ...demo,
    sessions: [...demo.sessions.filter((s) => s.id !== 'practice'), { id: 'race-3', name: 'Race 3', type: 'race', finish: { laps: 5 } }],
    entries: [{ ...demo.entries[0]!, transponder: 't-new' }, ...demo.entries.slice(2), { number: '500', name: 'Late Entry', class: 'gt3' }],
    name: 'Demo Park Club Day (revised)',
  };
  fs.writeFileSync(file, stringify(changed));
  const second = await runPitwall(['event', 'apply', file, ...local]);
  t.equal(second.code, 0, second.stderr);
  t.equal(second.stdout, [
    'demo-park/demo-day: updated (revision 2)',
    '  sessions added: race-3',
    '  sessions removed: practice',
    '  entries added: 500',
    '  entries removed: 26',
    '  entries changed: 34',
    '  changed: name',
    '',
  ].join('\n'));
  const again = await runPitwall(['event', 'apply', file, ...local]);
  t.match(again.stdout, /revision 3\)\n  unchanged\n$/);

  // Explicit credentials, as on a machine away from the stack.
  const admin = nats.server.credentials('admin');
  const shown = await runPitwall(['event', 'show', 'demo-park', 'demo-day', '--nats', nats.server.url, '--user', admin.user, '--password', admin.pass]);
  t.equal(shown.code, 0, shown.stderr);
  t.same(JSON.parse(shown.stdout), changed, 'show prints the stored declaration');
  t.same(await getDeclaration(await new Kvm(await nats.connectAs('admin')).open('events'), 'demo-park', 'demo-day'), changed);

  const missing = await runPitwall(['event', 'show', 'demo-park', 'no-such', ...local]);
  t.equal(missing.code, 1);
  t.match(missing.stderr, /no declaration of demo-park\/no-such/);
});

t.test('event apply refuses an invalid file with every problem, and stores nothing', async (t) => {
  const nats = await startTestNats(t);
  const file = path.join(nats.dataDir, 'bad.yaml');
  fs.writeFileSync(file, stringify({ track: 'demo-park', event: 'bad', name: 'Bad', classes: [], sessions: [{ id: 'r', name: 'R', type: 'race', finish: { laps: 0 } }], entries: [{ number: '1', name: 'A', class: 'gt9' }] }));
  const admin = nats.server.credentials('admin');
  const result = await runPitwall(['event', 'apply', file, '--nats', nats.server.url, '--user', admin.user, '--password', admin.pass]);
  t.equal(result.code, 1);
  t.match(result.stderr, /bad\.yaml: invalid event declaration:\n  - sessions\[0\]\.finish must be .*\n  - entries\[0\]\.class 'gt9' is not a declared class/);
  t.equal(await getDeclaration(await new Kvm(await nats.connectAs('admin')).open('events'), 'demo-park', 'bad'), undefined);
});

t.test('event without a stack says how to reach one', async (t) => {
  const result = await runPitwall(['event', 'show', 'a', 'b', '--data-dir', '/nonexistent-pitwall']);
  t.equal(result.code, 1);
  t.match(result.stderr, /no running stack in \/nonexistent-pitwall/);
});
