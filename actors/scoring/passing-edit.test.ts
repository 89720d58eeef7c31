import t from 'tap';
import type { PassingEdit, SessionInput } from '../contracts/events.ts';
import { createSessionActor, type PersistedSession } from '../session-actor.ts';
import { createFeed, REF } from '../testing/race-feed.ts';

// Race control's passing edits: the session is scored as if the corrected passings had been its input.
const actor = (from?: PersistedSession) => createSessionActor(REF, { publishLap: () => undefined }, from);
const fold = (inputs: SessionInput[]) => {
  const a = actor();
  for (const input of inputs) a.send(input);
  return a;
};
const row = (a: ReturnType<typeof actor>, car: string) => a.view().rows.find((r) => r.number === car)!;

function race() {
  const feed = createFeed();
  // 7 laps at 100 s, with a double read at 150 s (the loop read it twice: 50 s + 50 s, both above the minimum lap).
  const sevenAt = [100_000, 150_000, 200_000, 300_000];
  const inputs: SessionInput[] = [feed.declare({ laps: 10 }), feed.open(), feed.start(), ...sevenAt.map((ms) => feed.pass('7', ms)), feed.pass('12', 98_000), feed.pass('12', 205_000), feed.pass('12', 298_000)];
  inputs.sort((a, b) => a.atUs - b.atUs);
  return { feed, inputs };
}
const edit = (feed: ReturnType<typeof createFeed>, e: Omit<PassingEdit, 'kind' | 'atUs' | 'passingAtUs'> & { raceMs: number }): SessionInput => {
  const { raceMs, ...rest } = e;
  return { kind: 'passing-edit', atUs: feed.at(300_000), passingAtUs: feed.at(raceMs), ...rest };
};

t.test('removing a double read joins the laps before and after it: summed time, best lap and gaps recomputed', async (t) => {
  const { feed, inputs } = race();
  const a = fold(inputs);
  t.match(row(a, '7'), { laps: 4, bestLapUs: 50_000_000, position: 1 });
  a.send(edit(feed, { edit: 'remove', car: '7', raceMs: 150_000 }));
  const expected = fold(inputs.filter((i) => !(i.kind === 'passing' && i.car === '7' && i.atUs === feed.at(150_000))));
  t.match(row(a, '7'), { laps: 3, lastLapUs: 100_000_000, bestLapUs: 100_000_000, position: 2 });
  t.match(row(a, '12'), { laps: 3, position: 1, lapsLed: 2 });
  t.strictSame({ ...a.view(), controlLog: undefined }, { ...expected.view(), controlLog: undefined }, 'as if the double read had never come');
});

t.test('adding a missed passing splits a lap in two; moving one gives it to the other car with its times', async (t) => {
  const { feed, inputs } = race();
  const a = fold(inputs);
  a.send(edit(feed, { edit: 'add', car: '12', raceMs: 150_000 }));
  t.match(row(a, '12'), { laps: 4, lastLapUs: 93_000_000, bestLapUs: 52_000_000, bestLapNumber: 2 });
  a.send(edit(feed, { edit: 'move', car: '7', to: '12', raceMs: 200_000 }));
  t.match(row(a, '7'), { laps: 3, lastLapUs: 150_000_000, bestLapUs: 50_000_000 });
  t.match(row(a, '12'), { laps: 4 }, 'the moved passing is 5 s from the added one: a short lap for 12, discarded');
  const expected = [...inputs.filter((i) => !(i.kind === 'passing' && i.car === '7' && i.atUs === feed.at(200_000)))];
  expected.splice(expected.findIndex((i) => i.atUs > feed.at(150_000)), 0, feed.pass('12', 150_000), feed.pass('12', 200_000));
  t.strictSame({ ...a.view(), controlLog: undefined }, { ...fold(expected).view(), controlLog: undefined });
});

t.test('an edit naming no held passing, a car not entered or a passing after the clock, is counted and changes nothing; a persisted session edits alike', async (t) => {
  const { feed, inputs } = race();
  const a = fold(inputs);
  const before = a.view();
  a.send(edit(feed, { edit: 'remove', car: '7', raceMs: 150_001 }));
  a.send(edit(feed, { edit: 'move', car: '7', to: '99', raceMs: 150_000 }));
  a.send(edit(feed, { edit: 'add', car: '7', raceMs: 300_001 }));
  t.strictSame(a.view(), before);
  t.match(a.rejected(), { badPassingEdit: 2, unknownCar: 1 });
  const restored = actor(JSON.parse(JSON.stringify(a.persist())) as PersistedSession);
  const removal = edit(feed, { edit: 'remove', car: '7', raceMs: 150_000 });
  restored.send(removal);
  a.send(removal);
  t.strictSame(restored.view(), a.view());
  t.equal(row(a, '7').laps, 3);
});

t.test('the control log says which passing, in race time', async (t) => {
  const { feed, inputs } = race();
  const a = fold(inputs);
  a.send({ ...edit(feed, { edit: 'remove', car: '7', raceMs: 150_000 }), control: { id: 'c1', by: 'acc-1', org: 'club', atMs: 1 } });
  t.match(a.view().controlLog, [{ verb: 'correction', car: '7', text: '#7: passing removed at 2:30.000' }]);
});
