import t from 'tap';
import { foldSession } from '../../actors/session-actor.ts';
import { readDeclarationFile } from '../../engine/declarations/read.ts';
import { DEMO_EVENT_FILE } from '../../engine/demo.ts';
import { sessionTimeline } from '../sim/timeline.ts';
import { simEventToJsonl } from './from-sim.ts';
import { readJsonl } from './read.ts';
import { jsonlToSessionInputs } from './to-session-inputs.ts';
import { jsonlLine } from './write.ts';

const demo = readDeclarationFile(DEMO_EVENT_FILE);
const declaration = { ...demo, entries: demo.entries.slice(0, 5) };
const session = declaration.sessions.find((s) => s.id === 'race-2')!;
const openAtUs = 1_900_000_000_000_000;

t.test('good and bad lines: typed records and typed errors with line numbers, records + errors = lines', async (t) => {
  const lines = [
    jsonlLine({ type: 'declaration', declaration }),
    '',
    jsonlLine({ type: 'session.open', session: 'race-2', event: 'demo-day', atUs: openAtUs }),
    jsonlLine({ type: 'passing', atUs: openAtUs + 1, transponder: '1000011', loop: 'sf' }),
    jsonlLine({ type: 'penalty', session: 'race-2', atUs: openAtUs + 2, car: '34', timeUs: 5_000_000, reason: 'track limits' }),
    jsonlLine({ type: 'correction', session: 'race-2', atUs: openAtUs + 3, car: '34', laps: -1 }),
    jsonlLine({ type: 'status', session: 'race-2', atUs: openAtUs + 4, car: '26', status: 'dnf' }),
    '{"type":"passing"',
    '[1,2]',
    '{"type":"passing","atUs":5}',
    '{"type":"passing","atUs":5,"car":"1","transponder":"2"}',
    '{"type":"passing","atUs":-1,"car":"1"}',
    '{"type":"flag","session":"race-2","atUs":5,"flag":"purple"}',
    '{"type":"session.open","session":"race-2","atUs":5}',
    '{"type":"pitstop","session":"race-2","atUs":5}',
    '{"type":"penalty","session":"race-2","atUs":5,"car":"34"}',
    '{"type":"correction","session":"race-2","atUs":5,"car":"34","laps":0}',
    '{"type":"declaration","declaration":{"track":"x"}}',
  ];
  const read = readJsonl(lines.join('\n'));
  t.equal(read.lines, 17, 'blank lines are not counted');
  t.equal(read.records.length + read.errors.length, read.lines);
  t.same(read.records.map((r) => [r.line, r.record.type]), [[1, 'declaration'], [3, 'session.open'], [4, 'passing'], [5, 'penalty'], [6, 'correction'], [7, 'status']]);
  t.same(read.errors.map((e) => e.line), [8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]);
  t.match(read.errors[0]!.problem, /^not JSON: /);
  t.same(read.errors.slice(1).map((e) => e.problem).slice(0, 9), [
    'a record must be a JSON object',
    'a passing needs exactly one of car, transponder, chip, lane, carId',
    'a passing needs exactly one of car, transponder, chip, lane, carId',
    'atUs must be a non-negative integer (µs since the epoch)',
    read.errors[5]!.problem, // the flag list: matched below
    'event must be a slug [a-z0-9-]+',
    'unknown type "pitstop"',
    'a penalty needs timeUs or laps',
    'laps must be a non-zero integer (signed)',
  ]);
  t.match(read.errors[5]!.problem, /^flag must be one of none, green, /);
  t.match(read.errors[10]!.problem, /^declaration: event must be a slug \[a-z0-9-\]\+; name must be a non-empty string; /);

  const inputs = jsonlToSessionInputs(read.records.map((r) => r.record));
  t.same(inputs.map((i) => i.kind), ['declaration', 'session', 'passing', 'penalty', 'correction', 'status']);
  t.match(inputs[2], { kind: 'passing', car: '34', atUs: openAtUs + 1, precisionUs: 1000 });
});

t.test('a simulated session as JSON lines scores offline like the session itself', async (t) => {
  const text = [jsonlLine({ type: 'declaration', declaration }),
    ...[...sessionTimeline(declaration, session, { cars: 5, seed: 2, openAtUs })].map((e) => jsonlLine(simEventToJsonl(e, declaration, 'race-2')))].join('\n');
  const read = readJsonl(text);
  t.equal(read.errors.length, 0);
  const view = foldSession(jsonlToSessionInputs(read.records.map((r) => r.record)), { track: declaration.track, event: declaration.event, session: 'race-2' });
  t.equal(view.state, 'finished');
  t.equal(view.rows.length, 5);
  t.ok(view.rows[0]!.laps >= 20, `the winner did ${view.rows[0]!.laps} laps`);
});
