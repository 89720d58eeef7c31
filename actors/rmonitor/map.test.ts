import t from 'tap';
import type { RmonRecord } from '../contracts/rmonitor.ts';
import { createSessionActor } from '../session-actor.ts';
import { createRmonMapping, mapRmonitor } from './map.ts';
import { A, B, C, F, G, I, J } from './testing/records.ts';


function score(records: RmonRecord[]) {
  const mapped = mapRmonitor(records);
  const actors = new Map<string, ReturnType<typeof createSessionActor>>();
  for (const { session, input } of mapped) {
    if (!actors.has(session)) actors.set(session, createSessionActor({ track: 'rmonitor', event: 'capture', session }, { publishLap: () => undefined }, undefined, { autoCheckered: false }));
    actors.get(session)!.send(input);
  }
  return new Map([...actors].map(([id, a]) => [id, a.view()]));
}

t.test('a $B run is a session named by its description; a new number starts a new one, the same continues, 95 is scratch', async (t) => {
  const views = score([C(1, 'GT'), A('7', 1), A('9', 1), B(95, 'Scratch'), B(25, '"Race 1"'.replaceAll('"', '')), F(1), J('7', 0, 2), J('7', 60, 62),
    B(26, 'Race 2'), F(1), J('9', 0, 1), B(25, 'Race 1'), J('7', 61, 123)]);
  t.same([...views.keys()], ['run-25', 'run-26']);
  t.match(views.get('run-25'), { name: 'Race 1', type: 'race' });
  t.equal(views.get('run-25')!.rows.find((r) => r.number === '7')!.laps, 2, 'run 25 continued');
});

t.test('records before the first $B go to the session it names', async (t) => {
  const views = score([C(1, 'GT'), A('7', 1), F(100), J('7', 60, 160), B(32, 'Test Session 4')]);
  t.same([...views.keys()], ['run-32']);
  t.match(views.get('run-32'), { name: 'Test Session 4', type: 'practice' });
});

t.test('dump block seeds: a car\'s last $G with laps seeds laps and time; empty $G seeds nothing; every seed counted', async (t) => {
  const mapping = createRmonMapping();
  const recs = [C(1, 'GT'), A('7', 1), A('9', 1), B(67, 'Saturday 8 Hour'), F(3000), G(1, '7', null, 0), G(2, '9', null, 0),
    G(1, '7', 20, 2950), G(1, '7', 21, 2990), G(2, '9', 20, 2995), J('9', 150, 3145)];
  const mapped = recs.flatMap((r) => mapping.push(r));
  t.match(mapping.stats(), { seeds: 2, emptySeeds: 2 });
  const seeds = mapped.filter((m) => m.input.kind === 'seed').map((m) => m.input);
  t.match(seeds, [{ car: '7', laps: 21, raceUs: 2_990_000_000 }, { car: '9', laps: 20 }]);
  const views = score(recs);
  t.match(views.get('run-67')!.rows.map((r) => [r.number, r.laps]), [['7', 21], ['9', 21]]);
});

t.test('$I clears the board only; the entries re-sent after it replace the list; a standalone $I changes nothing', async (t) => {
  const base = [C(1, 'GT'), A('7', 1), A('9', 1), B(67, 'Race'), F(10), J('7', 0, 5), J('9', 0, 6)];
  const standalone = score([...base, I, J('7', 60, 65)]).get('run-67')!;
  t.same(standalone.rows.map((r) => [r.number, r.laps]), [['7', 1], ['9', 0]]);
  const removed = score([...base, I, A('7', 1), J('7', 60, 65)]).get('run-67')!;
  t.same(removed.rows.map((r) => r.number), ['7'], 'car 9 missing from the re-sent list is removed');
});

t.test('a class change mid-session moves the car between class standings, live and in replay alike', async (t) => {
  const recs = [C(1, 'GP1'), C(2, 'GP2'), A('55', 1), A('56', 2), B(39, 'GP Race'), F(10), J('55', 0, 5), J('56', 0, 6), J('55', 60, 65), C(1, 'GP2'), F(70)];
  const mapping = createRmonMapping();
  const live = createSessionActor({ track: 'rmonitor', event: 'capture', session: 'run-39' }, { publishLap: () => undefined }, undefined, { autoCheckered: false });
  const classes: string[] = [];
  for (const r of recs) {
    for (const m of mapping.push(r)) live.send(m.input);
    const row = live.view().rows.find((x) => x.number === '55');
    if (row && classes.at(-1) !== `${row.class}/${row.classPosition}`) classes.push(`${row.class}/${row.classPosition}`);
  }
  for (const m of mapping.end()) live.send(m.input);
  t.same(classes, ['GP1/1', 'GP2/1']);
  t.match(live.view().rows.find((x) => x.number === '56'), { class: 'GP2', classPosition: 2 });
  t.strictSame(score(recs).get('run-39'), live.view(), 'replay equals live');
});

t.test('a car crossing before its $A is an entry; an $A with its transponder renumbers it (§14)', async (t) => {
  const base = [C(1, 'GT'), B(61, 'Practice'), A('7', 1, 'Seven', 'T7'), F(10), J('7', 0, 5), J('852', 0, 6)];
  t.same(score(base).get('run-61')!.rows.map((r) => [r.number, r.laps]), [['7', 0], ['852', 0]], '852 crossed: an entry');
  const renumbered = score([...base, A('852', 1, 'AOA', 'T3'), A('851', 1, 'AOA', 'T3'), G(2, '851', null, 6), J('851', 70, 76)]).get('run-61')!;
  t.same(renumbered.rows.map((r) => [r.number, r.laps]), [['851', 1], ['7', 0]], '852 left; 851 seeded from its first row, then a lap');
});

t.test('a car first shown with a race time and no crossing sent is seeded from that row', async (t) => {
  const view = score([C(1, 'GT'), B(61, 'Practice'), A('7', 1), A('64', 1), F(10), J('7', 0, 5), G(2, '64', null, 44.062), J('64', 161.862, 205.924)]).get('run-61')!;
  t.match(view.rows.find((r) => r.number === '64'), { laps: 1, raceUs: 205_924_000 }, 'its lap-0 crossing at 44.062 s came from the row');
});

t.test('after a named run, the scratch run ($B,95) is another board: its cars do not join', async (t) => {
  const view = score([C(1, 'GT'), B(32, 'Session 4'), A('21', 1), F(10), J('21', 0, 5), B(95, 'Session 4'), A('00', 1), J('00', 0, 7)]).get('run-32')!;
  t.same(view.rows.map((r) => r.number), ['21']);
});
