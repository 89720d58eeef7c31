import { RMONITOR_DATA } from '../../edge/rmonitor/testing/captures.ts';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { validate, type Schema } from './testing/json-schema.ts';
import { scoreCaptureFile } from './score-file.ts';

const DATA = RMONITOR_DATA;
const SCHEMA = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../docs/score-output.schema.json'), 'utf8')) as Schema;
const captures = ['bradfier', 'redmist'].flatMap((dir) =>
  fs.readdirSync(path.join(DATA, dir)).filter((f) => f.endsWith('.txt') && !f.startsWith('LICENSE')).sort().map((f) => path.join(DATA, dir, f)));

t.test('every shared capture scores within 30 s, validates against the schema, and twice gives the same bytes', async (t) => {
  t.ok(captures.length >= 13, `${captures.length} captures`);
  for (const file of captures) {
    await t.test(path.basename(file), { timeout: 30_000 }, async (t) => {
      const started = performance.now();
      const first = JSON.stringify((await scoreCaptureFile(file)).output);
      const ms = performance.now() - started;
      t.same(validate(SCHEMA, JSON.parse(first)), [], 'valid output');
      const second = JSON.stringify((await scoreCaptureFile(file)).output);
      t.equal(second, first, 'deterministic to the byte');
      const follow = (await scoreCaptureFile(file, { mode: 'follow' })).output;
      t.same(validate(SCHEMA, follow), [], 'follow mode output valid too');
      t.comment(`${path.basename(file)}: ${ms.toFixed(0)} ms`);
    });
  }
});

t.test('positions are 1..n without gaps in every session of every capture', async (t) => {
  for (const file of captures) {
    const { output } = await scoreCaptureFile(file);
    for (const s of output.sessions) {
      t.same(s.standings.map((r) => r.position), s.standings.map((_, i) => i + 1), `${path.basename(file)} ${s.id}`);
    }
  }
});

t.test('the schema checker rejects what the schema forbids', async (t) => {
  t.not(validate(SCHEMA, { sessions: [{ id: 'x', name: 'x', type: 'race', standings: [{ position: 0 }] }] }).length, 0);
  t.not(validate(SCHEMA, { sessions: [], extra: 1 }).length, 0);
});
