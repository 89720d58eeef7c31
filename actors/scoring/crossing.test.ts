import t from 'tap';
import type { SessionInput } from '../contracts/events.ts';
import type { SessionView } from '../contracts/view.ts';
import { createFeed, START_US } from '../testing/race-feed.ts';
import { reduce } from './reduce.ts';
import { initialScoring, type ScoringState } from './state.ts';
import { toView } from './to-view.ts';
import { REF } from '../testing/race-feed.ts';

/** Timed crossings (RMonitor `$J`), SCORING-NOTES rules 1–9. Times in ms of race time. */
const x = (car: string, raceMs: number, lapMs: number): SessionInput =>
  ({ kind: 'crossing', atUs: START_US + raceMs * 1000, car, raceUs: raceMs * 1000, lapUs: lapMs * 1000 });

function fold(inputs: SessionInput[]): { state: ScoringState; view: SessionView } {
  let state = initialScoring(REF, { autoCheckered: false });
  for (const input of inputs) state = reduce(state, input).state;
  return { state, view: toView(state) };
}
const f = createFeed();
const base = () => [f.declare({ timeMs: 3_600_000 }), f.open(), f.start(0)];
const row = (v: SessionView, n: string) => v.rows.find((r) => r.number === n)!;
/** The race session declared as a practice. */
function asPractice(input: SessionInput): SessionInput {
  if (input.kind !== 'declaration') return input;
  const sessions = input.declaration.sessions.map((s) => (s.id === REF.session ? { ...s, type: 'practice' as const } : s));
  return { ...input, declaration: { ...input.declaration, sessions } };
}

t.test('rule 1: lap time 0 is the first crossing: sets the time, adds no lap; a re-sent lap 0 corrects it', async (t) => {
  const { view } = fold([...base(), x('7', 2_051, 0), x('05', 2_207, 0), x('7', 2_049, 0)]);
  t.match(row(view, '7'), { laps: 0, raceUs: 2_049_000 });
  t.same(view.rows.slice(0, 2).map((r) => r.number), ['7', '05'], 'lap-0 cars ordered by their crossing time');
  const next = fold([...base(), x('7', 2_049, 0), x('7', 62_100, 60_051)]).view;
  t.match(row(next, '7'), { laps: 1, lastLapUs: 60_051_000 });
});

t.test('rule 2: race time 0 counts nothing; such cars follow every timed car in declared (program listing) order', async (t) => {
  // The feed lists a car crossing before the clock as it crosses, and a car it lists without a crossing where it
  // lists it (2025 captures): the declared order (the mapping's listing order) decides, not the crossing order.
  const { view, state } = fold([...base(), x('12', 0, 0), x('5', 0, 0), x('05', 3_000, 0)]);
  t.same(view.rows.map((r) => r.number), ['05', '7', '12', '5']);
  t.equal(state.rejected.clockNotStarted, 2);
  t.equal(row(view, '12').laps, 0);
});

t.test('rule 3: a lap starting at the last counted crossing adds exactly one lap', async (t) => {
  const { view } = fold([...base(), x('7', 2_000, 0), x('7', 100_000, 98_000), x('7', 199_000, 99_000)]);
  t.match(row(view, '7'), { laps: 2, lastLapUs: 99_000_000, raceUs: 199_000_000 });
});

t.test('rule 4: the same race time as the last counted crossing is not a lap', async (t) => {
  const { view, state } = fold([...base(), x('7', 2_000, 0), x('7', 100_000, 98_000), x('7', 100_000, 98_000), x('7', 100_000, 0)]);
  t.equal(row(view, '7').laps, 1);
  t.ok((state.rejected.sameTime ?? 0) >= 1);
});

t.test('rule 5: a lap starting where the last lap started re-times it: laps unchanged, time replaced', async (t) => {
  const { view, state } = fold([...base(), x('7', 2_000, 0), x('7', 100_000, 98_000), x('7', 100_004, 98_004)]);
  t.match(row(view, '7'), { laps: 1, raceUs: 100_004_000, lastLapUs: 98_004_000, bestLapUs: 98_004_000 });
  t.equal(state.rejected.retimed, 1);
});

t.test('rule 5 before rule 6: a re-timing that moves the crossing earlier replaces it; the next lap starts there', async (t) => {
  // TestSessionChanges, car 77: 6:24.167 re-timed to 6:24.136, next lap 2:30.426 from 6:24.136.
  const { view, state } = fold([...base(), x('7', 2_000, 0), x('7', 100_031, 98_031), x('7', 100_000, 98_000), x('7', 199_000, 99_000)]);
  t.match(row(view, '7'), { laps: 2, raceUs: 199_000_000 });
  t.equal(state.rejected.retimed, 1);
  t.notOk(state.rejected.outOfOrder, 'not taken for a re-send');
});

t.test('rule 6: a passing older than the last crossing is a re-send: ignored', async (t) => {
  const { view, state } = fold([...base(), x('7', 2_000, 0), x('7', 100_000, 98_000), x('7', 199_000, 99_000), x('7', 100_000, 98_000)]);
  t.equal(row(view, '7').laps, 2);
  t.equal(state.rejected.outOfOrder, 1);
});

t.test('rule 7: a lap starting later than the last crossing credits round(gap ÷ lap time) missed laps', async (t) => {
  // Last known 100 s; the passing's lap started at 298 s (two ~99 s laps missed).
  const { view } = fold([...base(), x('7', 2_000, 0), x('7', 100_000, 98_000), x('7', 397_000, 99_000)]);
  t.equal(row(view, '7').laps, 4);
});

t.test('rule 7 from the start in races; in practice a first lap with no crossing known before it is one lap', async (t) => {
  // The car's lap-0 crossing at 78 s was not sent (TestSessionChanges, car 74: the program shows 1 lap).
  const race = fold([...base(), x('7', 228_000, 150_000)]);
  t.equal(row(race.view, '7').laps, 2, 'race: laps missed since the start');
  const practice = fold([asPractice(f.declare({ timeMs: 3_600_000 })), f.open(), f.start(0), x('7', 228_000, 150_000)]);
  t.equal(row(practice.view, '7').laps, 1, 'practice: one lap');
});

t.test('rule 8: a lap shorter than the declared minimum is a double read: discarded', async (t) => {
  const { view, state } = fold([...base(), x('7', 2_000, 0), x('7', 100_000, 98_000), x('7', 103_000, 3_000)]);
  t.equal(row(view, '7').laps, 1);
  t.equal(state.rejected.shortLap, 1);
});

t.test('rule 9: red flag credits no lap; after the checkered each car\'s first crossing ends its race; green resumes', async (t) => {
  const red = fold([...base(), x('7', 2_000, 0), f.flag('red', 50_000), x('7', 100_000, 98_000)]);
  t.equal(row(red.view, '7').laps, 0);
  t.equal(red.state.rejected.redFlag, 1);
  const done = fold([...base(), x('7', 2_000, 0), x('05', 3_000, 0), f.flag('checkered', 99_000), x('7', 100_000, 98_000), x('7', 199_000, 99_000), x('05', 101_000, 98_000)]);
  t.match(row(done.view, '7'), { laps: 1, finished: true, status: 'finished' });
  t.match(row(done.view, '05'), { laps: 1, finished: true });
  const resumed = fold([...base(), x('7', 2_000, 0), f.flag('checkered', 99_000), x('7', 100_000, 98_000), f.flag('green', 120_000), x('7', 199_000, 99_000)]);
  t.match(row(resumed.view, '7'), { laps: 2 });
  t.notOk(row(resumed.view, '7').finished);
});
