import t from 'tap';
import type { FinishRule } from '../contracts/declaration.ts';
import type { SessionInput } from '../contracts/events.ts';
import type { SessionView } from '../contracts/view.ts';
import { createFeed, declaration, REF, START_US } from '../testing/race-feed.ts';
import { reduce } from './reduce.ts';
import { initialScoring, type ScoringOptions } from './state.ts';
import { toView } from './to-view.ts';

const x = (car: string, raceMs: number, lapMs: number): SessionInput =>
  ({ kind: 'crossing', atUs: START_US + raceMs * 1000, car, raceUs: raceMs * 1000, lapUs: lapMs * 1000 });
const at = (raceMs: number) => START_US + raceMs * 1000;
const f = createFeed();

function fold(inputs: SessionInput[], options: ScoringOptions = { autoCheckered: false }): SessionView {
  let state = initialScoring(REF, options);
  for (const input of inputs) state = reduce(state, input).state;
  return toView(state);
}
function declared(type: 'race' | 'practice' | 'qualifying', finish: FinishRule = { timeMs: 3_600_000 }, extra: object = {}): SessionInput {
  const d = declaration(finish);
  d.sessions = d.sessions.map((s) => (s.id === REF.session ? { ...s, type, ...extra } : s));
  return { kind: 'declaration', atUs: at(-600_000), declaration: d };
}
const race = () => [declared('race'), f.open(), f.start(0)];
const order = (v: SessionView) => v.rows.map((r) => r.number);
const row = (v: SessionView, n: string) => v.rows.find((r) => r.number === n)!;

t.test('rule 10: time penalties add to total time and reorder without costing laps; lap penalties can make laps negative', async (t) => {
  const v = fold([...race(), x('7', 100_000, 100_000), x('05', 101_000, 101_000),
    { kind: 'penalty', atUs: at(102_000), car: '7', timeUs: 5_000_000 }, { kind: 'penalty', atUs: at(102_000), car: '12', laps: 2 }]);
  t.same(order(v).slice(0, 2), ['05', '7']);
  t.match(row(v, '7'), { laps: 1, penaltyUs: 5_000_000, elapsedUs: 105_000_000, gapUs: 4_000_000 });
  t.equal(row(v, '12').laps, -2);
  const corrected = fold([...race(), x('7', 100_000, 100_000), { kind: 'correction', atUs: at(101_000), car: '7', laps: -1 }]);
  t.equal(row(corrected, '7').laps, 0);
});

t.test('rule 11: exact ties on laps and time: the passing received first ranks ahead', async (t) => {
  t.same(order(fold([...race(), x('05', 100_000, 100_000), x('7', 100_000, 100_000)])).slice(0, 2), ['05', '7']);
});

t.test('rule 12: cars without a timed crossing follow in declared (grid) order', async (t) => {
  t.same(order(fold([...race(), x('5', 100_000, 100_000)])), ['5', '7', '05', '12']);
});

t.test('rule 13: timed finish with thenLeaderLap: the time, then one more lap of the leader', async (t) => {
  const d = declaration({ timeMs: 150_000, thenLeaderLap: true });
  const inputs: SessionInput[] = [{ kind: 'declaration', atUs: at(-1), declaration: d }, f.open(), f.start(0),
    x('7', 100_000, 100_000), x('7', 200_000, 100_000), x('05', 201_000, 201_000), x('7', 300_000, 100_000), x('05', 302_000, 101_000), x('7', 400_000, 100_000)];
  const v = fold(inputs, {});
  t.match(row(v, '7'), { laps: 3, finished: true });
  t.match(row(v, '05'), { laps: 2, finished: true });
  const plain = fold([{ kind: 'declaration', atUs: at(-1), declaration: declaration({ timeMs: 150_000 }) }, ...inputs.slice(1)], {});
  t.match(row(plain, '7'), { laps: 2, finished: true }, 'without thenLeaderLap the leader finishes at its first crossing after the time');
});

t.test('rule 15: best-lap order for practice, ties broken by the second-best lap, not by who set it first', async (t) => {
  const v = fold([declared('practice'), f.open(), f.start(0),
    x('7', 100_000, 100_000), x('7', 190_000, 90_000), x('05', 101_000, 101_000), x('05', 191_000, 90_000)]);
  t.same(order(v).slice(0, 2), ['7', '05'], 'same best 90 s: 7 has the better second best (100 s < 101 s)');
  t.match(row(v, '05'), { bestLapUs: 90_000_000, secondBestLapUs: 101_000_000, gapUs: 0 });
  const v2 = fold([declared('practice'), f.open(), f.start(0),
    x('7', 100_000, 100_000), x('7', 190_000, 90_000), x('05', 95_000, 95_000), x('05', 185_000, 90_000)]);
  t.same(order(v2).slice(0, 2), ['05', '7'], 'second best 95 s beats 100 s although 7 set 90 s later... first');
});

t.test('rule 16: cars without a best lap come after, by laps then crossing (or by number)', async (t) => {
  const inputs = [declared('qualifying'), f.open(), f.start(0), x('12', 100_000, 100_000), x('5', 2_000, 0), x('7', 1_000, 0)];
  t.same(order(fold(inputs)), ['12', '7', '5', '05']);
  t.same(order(fold(inputs, { autoCheckered: false, noBestLapOrder: 'number' })), ['12', '05', '5', '7']);
});

t.test('rule 17: best-lap eligibility: yellow, lap 1 and pit laps excluded when declared', async (t) => {
  const eligible = (rules: object, extra: SessionInput[]) => fold([declared('practice', { timeMs: 3_600_000 }, { bestLap: rules }), f.open(), f.start(0), ...extra]);
  t.notOk('bestLapUs' in row(eligible({ excludeLap1: true }, [x('7', 90_000, 90_000)]), '7'));
  t.equal(row(eligible({ excludeLap1: true }, [x('7', 90_000, 90_000), x('7', 190_000, 100_000)]), '7').bestLapUs, 100_000_000);
  const yellow = eligible({ excludeYellow: true }, [x('7', 100_000, 100_000), f.flag('fcy', 150_000), x('7', 190_000, 90_000)]);
  t.equal(row(yellow, '7').bestLapUs, 100_000_000);
  const pit = eligible({ excludePit: true }, [x('7', 100_000, 100_000), { kind: 'line', atUs: at(150_000), car: '7', line: 'P1', loop: 'pit-in' }, x('7', 190_000, 90_000)]);
  t.equal(row(pit, '7').bestLapUs, 100_000_000);
  t.match(row(pit, '7'), { pit: true, status: 'pit' });
});

t.test('pit in/out from line crossings: stops and time in the pit lane; no laps', async (t) => {
  const v = fold([...race(), x('7', 100_000, 100_000), { kind: 'line', atUs: at(150_000), car: '7', line: 'P1', loop: 'pit-in' },
    { kind: 'line', atUs: at(180_500), car: '7', line: 'P2', loop: 'pit-out' }]);
  t.match(row(v, '7'), { laps: 1, pitStops: 1, pitTimeUs: 30_500_000, status: 'running' });
  t.notOk(row(v, '7').pit);
});

t.test('class gaps and intervals, a class change moves the car between class standings', async (t) => {
  const inputs: SessionInput[] = [...race(), x('7', 100_000, 100_000), x('12', 101_000, 101_000), x('05', 102_000, 102_000), x('5', 103_000, 103_000)];
  const v = fold(inputs);
  t.match(row(v, '05'), { class: 'gt3', classPosition: 2, classGapUs: 2_000_000, classIntervalUs: 2_000_000, intervalUs: 1_000_000 });
  t.match(row(v, '5'), { class: 'gt4', classPosition: 2, classGapUs: 2_000_000 });
  const moved = fold([...inputs, { kind: 'class', atUs: at(104_000), car: '12', class: 'gt3' }]);
  t.match(row(moved, '12'), { class: 'gt3', classPosition: 2 });
  t.match(row(moved, '5'), { class: 'gt4', classPosition: 1 });
});

t.test('laps led, positions gained from the grid, stale cars, DNS/DNF/DSQ', async (t) => {
  const v = fold([...race(), x('5', 100_000, 100_000), x('7', 101_000, 101_000), x('5', 200_000, 100_000), x('7', 199_000, 98_000), f.tick(600_000)]);
  t.match(row(v, '5'), { lapsLed: 2, positionsGained: 2 });
  t.match(row(v, '7'), { lapsLed: 1, positionsGained: 0 });
  t.equal(row(v, '7').status, 'stale', 'no crossing for 3 × its best lap');
  const s = fold([...race(), x('5', 100_000, 100_000), x('7', 101_000, 101_000),
    { kind: 'status', atUs: at(102_000), car: '5', status: 'dsq' }, { kind: 'status', atUs: at(102_000), car: '12', status: 'dnf' }, f.finish(200_000)]);
  t.same(order(s), ['7', '05', '12', '5'], 'disqualified last');
  t.match(row(s, '5'), { status: 'dsq' });
  t.match(row(s, '12'), { status: 'dnf' });
  t.match(row(s, '05'), { status: 'dns' });
});

t.test('mode follow: the program\'s positions order the board', async (t) => {
  const v = fold([...race(), x('7', 100_000, 100_000), x('05', 101_000, 101_000),
    { kind: 'program', atUs: at(101_000), car: '05', board: 'race', position: 1 }, { kind: 'program', atUs: at(101_000), car: '7', board: 'race', position: 2 }],
  { autoCheckered: false, mode: 'follow' });
  t.same(order(v).slice(0, 2), ['05', '7']);
});
