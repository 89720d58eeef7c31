import t from 'tap';
import type { LapEvent, SessionInput } from '../contracts/events.ts';
import type { StandingRow } from '../contracts/view.ts';
import { createFeed, fiveLapRace, REF } from '../testing/race-feed.ts';
import { reduce } from './reduce.ts';
import { initialScoring, type ScoringState } from './state.ts';
import { toView } from './to-view.ts';

function fold(inputs: SessionInput[], from: ScoringState = initialScoring(REF)) {
  let state = from;
  const laps: LapEvent[] = [];
  for (const input of inputs) {
    const out = reduce(state, input);
    state = out.state;
    laps.push(...out.laps);
  }
  return { state, laps, view: toView(state) };
}

const row = (rows: StandingRow[], number: string) => rows.find((r) => r.number === number)!;
const order = (rows: StandingRow[]) => rows.map((r) => r.number);

t.test('first crossing after the start completes lap 1, timed from the start; the start crossing itself is discarded', async (t) => {
  const f = createFeed();
  const { state, laps, view } = fold([
    f.declare(), f.open(), f.pass('7', -40_000), f.start(0),
    f.pass('7', 2_300), // rolling start: the car crosses the line with the start
    f.pass('7', 101_204), f.pass('7', 199_015),
  ]);
  t.equal(state.rejected.beforeStart, 1, 'a passing before the start counts nothing');
  t.equal(state.rejected.shortLap, 1, 'the start crossing is shorter than the minimum lap');
  t.same(laps.map((l) => [l.lap, l.lapUs, l.raceUs]), [[1, 101_204_000, 101_204_000], [2, 97_811_000, 199_015_000]]);
  t.same(laps[0], {
    kind: 'lap', track: REF.track, event: REF.event, session: REF.session, car: '7', class: 'gt3', lap: 1,
    lapUs: 101_204_000, raceUs: 101_204_000, atUs: f.at(101_204), position: 1, flag: 'green', pit: false,
  });
  t.match(row(view.rows, '7'), { laps: 2, lastLapUs: 97_811_000, bestLapUs: 97_811_000, raceUs: 199_015_000 });
});

t.test('order: laps, then crossing time; exact ties rank the passing received first', async (t) => {
  const f = createFeed();
  const { view } = fold([f.declare(), f.start(0), f.pass('7', 101_000), f.pass('05', 101_000), f.pass('12', 100_500)]);
  t.same(order(view.rows), ['12', '7', '05', '5'], 'tie on 101.000 s: 7 was received first');
  t.same(row(view.rows, '05').gapUs, 500_000);
  t.same(row(view.rows, '05').intervalUs, 0, 'a dead heat');
  const swapped = fold([f.declare(), f.start(0), f.pass('05', 101_000), f.pass('7', 101_000)]).view;
  t.same(order(swapped.rows).slice(0, 2), ['05', '7'], 'received order decides, not the number');
  t.same(order(fold([f.declare(), f.start(0)]).view.rows), ['7', '05', '12', '5'], 'no crossings: declared order');
});

t.test('cars on different laps: gap and interval in laps; same lap: in time', async (t) => {
  const { view } = fold(fiveLapRace().slice(0, -2).filter((i) => i.kind !== 'passing' || i.atUs <= createFeed().at(420_000)));
  // At 420 s: 7 has 4 laps (394.557), 05 4 laps (396.200), 12 4 laps (413.700), 5 stopped on 2 laps.
  t.same(order(view.rows), ['7', '05', '12', '5']);
  t.match(row(view.rows, '05'), { laps: 4, gapUs: 1_643_000, intervalUs: 1_643_000 });
  t.match(row(view.rows, '12'), { laps: 4, gapUs: 19_143_000, intervalUs: 17_500_000 });
  t.match(row(view.rows, '5'), { laps: 2, gapLaps: 2, intervalLaps: 2 });
  t.notOk('gapUs' in row(view.rows, '5'), 'a lap gap carries no time');
  t.notOk('gapUs' in row(view.rows, '7') || 'intervalUs' in row(view.rows, '7'), 'the leader has no gap');
});

t.test('a car that stops falls behind by laps: its gap grows in laps', async (t) => {
  const inputs = fiveLapRace();
  const gaps: number[] = [];
  let state = initialScoring(REF);
  for (const input of inputs) {
    state = reduce(state, input).state;
    if (input.kind === 'passing' && input.car === '7') gaps.push(row(toView(state).rows, '5').gapLaps ?? 0);
  }
  // At each crossing of 7: 5 is 1 lap down (laps 1–3, one lap in hand), then stops after lap 2: 2, then 3 laps down;
  // 7's sixth crossing is after its finish: nothing changes.
  t.same(gaps, [1, 1, 1, 2, 3, 3]);
});

t.test('classes: class positions are independent of overall', async (t) => {
  const { view } = fold(fiveLapRace());
  t.same(view.rows.map((r) => [r.number, r.class, r.position, r.classPosition]), [
    ['7', 'gt3', 1, 1],
    ['05', 'gt3', 2, 2],
    ['12', 'gt4', 3, 1],
    ['5', 'gt4', 4, 2],
  ]);
});

t.test('last and best laps', async (t) => {
  const { view } = fold(fiveLapRace());
  t.match(row(view.rows, '7'), { lastLapUs: 97_655_000, bestLapUs: 97_502_000 });
  t.match(row(view.rows, '05'), { lastLapUs: 97_800_000, bestLapUs: 97_800_000 });
  t.match(row(view.rows, '5'), { laps: 2, lastLapUs: 103_900_000, bestLapUs: 103_900_000 });
});

t.test('a lap shorter than the minimum is a double read: discarded, the next lap timed from the first read', async (t) => {
  const f = createFeed();
  const { state, laps } = fold([f.declare(), f.start(0), f.pass('7', 101_204), f.pass('7', 101_650), f.pass('7', 199_015)]);
  t.equal(state.rejected.shortLap, 1);
  t.same(laps.map((l) => l.lapUs), [101_204_000, 97_811_000]);
  const custom = fold([f.declare(), f.start(0), f.pass('7', 101_204), f.pass('7', 111_204)], initialScoring(REF, { minLapUs: 5_000_000 }));
  t.equal(custom.laps.length, 2, 'the minimum is a per-session option');
});

t.test('a re-delivered reading changes nothing; an older re-send is out of order', async (t) => {
  const f = createFeed();
  const lap1 = f.pass('7', 101_204);
  const lap2 = f.pass('7', 199_015);
  const base = fold([f.declare(), f.start(0), lap1, lap2]);
  const again = reduce(base.state, lap1);
  t.same(again.laps, []);
  t.same(toView(again.state), base.view);
  t.same({ ...again.state, rejected: base.state.rejected }, base.state, 'only the counter moved');
  t.equal(again.state.rejected.duplicate, 1);
  // The same crossing re-read under a new reading id (another boot) is older than the last counted crossing.
  const resent = reduce(base.state, { ...lap1, reading: { ...lap1.reading, boot: 'c9a0' } });
  t.same(resent.laps, []);
  t.equal(resent.state.rejected.outOfOrder, 1);
  t.same(toView(resent.state).rows, base.view.rows);
});

t.test('a passing for a car not in the entries is counted and changes nothing else', async (t) => {
  const f = createFeed();
  const base = fold([f.declare(), f.start(0), f.pass('7', 101_204)]);
  const out = reduce(base.state, f.pass('77', 130_000));
  t.same(out.laps, []);
  t.equal(out.state.rejected.unknownCar, 1);
  t.same(toView(out.state), base.view, 'not even the clock moves');
  const numberAsDeclared = reduce(base.state, f.pass('007', 130_000));
  t.equal(numberAsDeclared.state.rejected.unknownCar, 1, '"007" is not "7"');
});

t.test('lap-based finish: the leader completes the distance; each car finishes at its next crossing, later ones ignored', async (t) => {
  const inputs = fiveLapRace();
  const { state, laps, view } = fold(inputs);
  const leaderLast = laps.find((l) => l.car === '7' && l.lap === 5)!;
  t.equal(leaderLast.flag, 'checkered', 'the leader takes the checkered flag on lap 5');
  t.equal(state.checkeredAtUs, leaderLast.atUs);
  t.same(view.rows.map((r) => [r.number, r.laps, r.finished ?? false]), [
    ['7', 5, true],
    ['05', 5, true],
    ['12', 5, true],
    ['5', 2, false],
  ]);
  t.equal(laps.length, 5 + 5 + 5 + 2, 'sixth crossings are not laps');
  t.equal(state.rejected.afterFinish, 3, '7, 05 and 12 crossed again after their finish');
  t.equal(view.state, 'official');
  t.notOk('remainingLaps' in view);
  const midRace = fold(inputs.filter((i) => i.kind !== 'passing' || i.atUs < createFeed().at(300_000)).slice(0, -2)).view;
  t.equal(midRace.remainingLaps, 2, '7 has 3 laps of 5');
});

t.test('a lapped car finishes at its first crossing after the checkered, with fewer laps', async (t) => {
  const f = createFeed();
  const inputs = [f.declare({ laps: 2 }), f.start(0)];
  inputs.push(f.pass('7', 100_000), f.pass('5', 110_000), f.pass('7', 198_000)); // 7 finishes
  inputs.push(f.pass('5', 220_000), f.pass('5', 330_000));
  const { view, laps } = fold(inputs);
  t.match(row(view.rows, '5'), { laps: 2, finished: true, gapUs: 22_000_000 });
  t.same(laps.map((l) => `${l.car}:${l.lap}:${l.flag}`), ['7:1:green', '5:1:green', '7:2:checkered', '5:2:checkered']);
});

t.test('time-based finish: the leader\'s first crossing after the time; cars crossing before it still get that lap', async (t) => {
  const f = createFeed();
  const inputs = [f.declare({ timeMs: 300_000 }), f.start(0)];
  // 7 leads 05 by ~2 s; 12 is a lap down. Time expires at 300 s.
  for (const [car, ms] of [
    ['7', 99_000], ['05', 101_000], ['12', 104_000], ['7', 198_000], ['05', 200_500], ['12', 208_000],
    ['7', 297_000], ['05', 299_900], ['12', 312_000], ['7', 396_000], ['05', 399_000], ['12', 416_000], ['7', 495_000], ['05', 498_000],
  ] as const) inputs.push(f.pass(car, ms));
  inputs.splice(inputs.length - 7, 0, f.tick(305_000));
  const { state, view } = fold(inputs);
  t.equal(state.checkeredAtUs, f.at(396_000), 'the time expired at 300 s; 7 was next across at 396 s');
  t.same(view.rows.map((r) => [r.number, r.laps, r.finished ?? false]), [
    ['7', 4, true],
    ['05', 4, true],
    ['12', 4, true], // 12 crossed at 312 s (after the time, before the leader's flag): that lap counts
    ['5', 0, false],
  ]);
  t.equal(state.rejected.afterFinish, 2);
  const atTick = fold(inputs.slice(0, inputs.findIndex((i) => i.kind === 'tick') + 1)).view;
  t.equal(atTick.clockUs, 305_000_000);
  t.equal(atTick.remainingUs, 0);
  t.equal(fold(inputs.slice(0, 3)).view.remainingUs, 201_000_000);
});

t.test('a checkered shown by race control: every car, the leader too, finishes at its next crossing', async (t) => {
  const f = createFeed();
  const { view, state } = fold([
    f.declare({ laps: 20 }), f.start(0), f.pass('7', 99_000), f.pass('05', 101_000),
    f.flag('checkered', 150_000), f.pass('7', 198_000), f.pass('05', 200_000), f.pass('7', 297_000),
  ]);
  t.equal(state.phase, 'finishing');
  t.same(view.rows.slice(0, 2).map((r) => [r.number, r.laps, r.finished]), [['7', 2, true], ['05', 2, true]]);
});

t.test('red flag: no laps credited; after the restart the lap is timed from the last counted crossing', async (t) => {
  const f = createFeed();
  const { state, laps, view } = fold([
    f.declare({ laps: 20 }), f.start(0), f.pass('7', 99_000), f.flag('red', 120_000),
    f.pass('7', 260_000), f.flag('green', 900_000), f.pass('7', 1_010_000), f.pass('7', 1_108_000),
  ]);
  t.equal(state.rejected.redFlag, 1);
  t.same(laps.map((l) => [l.lap, l.lapUs]), [[1, 99_000_000], [2, 911_000_000], [3, 98_000_000]]);
  t.equal(row(view.rows, '7').bestLapUs, 98_000_000);
});

t.test('flags are recorded on laps; the clock follows ticks and stops when the session is finished', async (t) => {
  const f = createFeed();
  const { laps, view } = fold([
    f.declare(), f.start(0), f.flag('fcy', 50_000), f.pass('7', 110_000), f.tick(111_000), f.finish(200_000), f.tick(201_000),
  ]);
  t.equal(laps[0]!.flag, 'fcy');
  t.equal(view.clockUs, 200_000_000);
  t.equal(view.state, 'finished');
  t.equal(view.flag, 'checkered');
});

t.test('inputs before the declaration, and a declaration without this session, are counted and ignored', async (t) => {
  const f = createFeed();
  const other = f.declare();
  if (other.kind === 'declaration') other.declaration.sessions = other.declaration.sessions.filter((s) => s.id !== REF.session);
  const { state, view } = fold([f.start(0), f.pass('7', 99_000), other]);
  t.equal(state.rejected.undeclared, 3);
  t.same(view.rows, []);
  t.equal(view.name, REF.session);
});

t.test('a later declaration adds entries and keeps the laps', async (t) => {
  const f = createFeed();
  const more = f.declare();
  if (more.kind === 'declaration') more.declaration.entries.push({ number: '88', name: 'E. Novak', class: 'gt4' });
  const { view } = fold([f.declare(), f.start(0), f.pass('7', 99_000), more, f.pass('88', 104_000)]);
  t.same(order(view.rows), ['7', '88', '05', '12', '5']);
  t.match(row(view.rows, '88'), { laps: 1, classPosition: 1 });
});

t.test('the state is JSON: a round trip restores it exactly and scoring continues identically', async (t) => {
  const inputs = fiveLapRace();
  const half = Math.floor(inputs.length / 2);
  const first = fold(inputs.slice(0, half));
  const json = JSON.stringify(first.state);
  const restored = JSON.parse(json) as ScoringState;
  t.equal(JSON.stringify(restored), json);
  const rest = fold(inputs.slice(half), restored);
  const whole = fold(inputs);
  t.strictSame(rest.view, whole.view);
  t.equal(JSON.stringify(rest.state), JSON.stringify(whole.state), 'byte-identical');
});

t.test('reduce never modifies its input state', async (t) => {
  const f = createFeed();
  const base = fold([f.declare(), f.start(0), f.pass('7', 99_000)]).state;
  const copy = structuredClone(base);
  reduce(base, f.pass('7', 198_000));
  reduce(base, f.pass('77', 198_000));
  reduce(base, f.flag('red', 150_000));
  t.strictSame(base, copy);
});

t.test('the program agreement of a feed shows in the header and scores nothing', async (t) => {
  const f = createFeed();
  const before = fold([f.declare(), f.open(), f.start(0), f.pass('7', 100_000)]);
  const after = fold([{ kind: 'agreement', atUs: f.at(100_500), rows: 40, disagreements: 3, rule: 1 }], before.state);
  t.match(after.view, { programRows: 40, programDisagreements: 3, programRuleDisagreements: 1 });
  t.same(after.view.rows, before.view.rows, 'standings unchanged');
  t.notOk('programRows' in before.view, 'absent without a feed');
});
