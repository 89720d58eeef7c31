import path from 'node:path';
import t from 'tap';
import { readDeclarationFile } from '../../engine/declarations/read.ts';
import { REPO_ROOT } from '../../engine/paths.ts';
import { sessionTimeline, type SimEvent } from './timeline.ts';

const declaration = readDeclarationFile(path.join(REPO_ROOT, 'docs', 'examples', 'demo-event.yaml'));
const session = (id: string) => declaration.sessions.find((s) => s.id === id)!;
const SECOND = 1_000_000;
const openAtUs = 1_800_000_000 * SECOND;

const run = (id: string, cars = 20, seed = 1): SimEvent[] => [...sessionTimeline(declaration, session(id), { cars, seed, openAtUs })];

t.test('a 30-minute race: ordered, ticked, started, yellow, checkered after the time', async (t) => {
  const events = run('race-1');
  t.ok(events.every((e, i) => i === 0 || e.atUs >= events[i - 1]!.atUs), 'time never goes back');
  t.equal(events[0]?.type, 'session.open');
  const ticks = events.filter((e) => e.type === 'clock.tick').map((e) => e.atUs);
  t.ok(ticks.every((at, i) => at - (ticks[i - 1] ?? openAtUs) === SECOND), 'one tick per second of session time');
  const start = events.find((e) => e.type === 'session.start')!;
  const flags = events.filter((e) => e.type === 'flag').map((e) => (e.type === 'flag' ? e.flag : ''));
  t.same(flags, ['green', 'fcy', 'green', 'checkered']);
  const checkered = events.findIndex((e) => e.type === 'flag' && e.flag === 'checkered');
  t.ok(events[checkered]!.atUs - start.atUs >= 1800 * SECOND, 'the checkered flag falls after 30 minutes');
  t.ok(events[checkered]!.atUs - start.atUs < 1800 * SECOND + 70 * SECOND, "at the leader's next crossing");
  const passings = events.filter((e) => e.type === 'passing');
  t.ok(passings.length > 20 * 25, `a realistic number of crossings (${passings.length})`);
  const after = events.slice(checkered + 1).filter((e) => e.type === 'passing').map((e) => (e.type === 'passing' ? e.car : ''));
  t.equal(new Set(after).size, after.length, 'each car crosses at most once after the checkered flag');
});

t.test('a race over laps ends when the leader completes them', async (t) => {
  const events = run('race-2', 10);
  const i = events.findIndex((e) => e.type === 'flag' && e.flag === 'checkered');
  const before = events[i - 1];
  t.equal(before?.type === 'passing' && before.lap, 20, 'the leader crossed for the 20th time');
  t.notOk(events.some((e) => e.type === 'passing' && e.lap > 20), 'nobody does a 21st lap');
});

t.test('the same seed gives the same race, another seed another', async (t) => {
  t.same(run('race-2', 10, 5), run('race-2', 10, 5));
  t.not(JSON.stringify(run('race-2', 10, 5)), JSON.stringify(run('race-2', 10, 6)));
});

t.test('the session finishes after the last car took the flag', async (t) => {
  const events = run('race-2', 10);
  const last = events.at(-1)!;
  t.equal(last.type, 'session.finish');
  const lastPassing = events.filter((e) => e.type === 'passing').at(-1)!;
  t.ok(last.atUs >= lastPassing.atUs, 'no crossing after the end');
});
