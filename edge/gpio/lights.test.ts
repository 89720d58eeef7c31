import t from 'tap';
import { subjects } from '../../actors/contracts/subjects.ts';
import { startTestNats } from '../../engine/testing/nats.ts';
import { waitFor } from '../../engine/testing/wait.ts';
import { followFlags } from './flag-lamps.ts';
import { createStartLights } from './start-lights.ts';
import { createFakePins } from './testing/fake-pins.ts';

t.test('start lights: the steps, a random hold within its range, green stamped; presses meanwhile ignored', async (t) => {
  const pins = createFakePins();
  const slept: number[] = [];
  const wakers: (() => void)[] = [];
  const sleep = (ms: number) => new Promise<void>((resolve) => (slept.push(ms), wakers.push(resolve)));
  const wakeNext = async () => {
    await waitFor('a timer', () => wakers.length > 0);
    wakers.shift()!();
  };
  let now = 0;
  const events: string[] = [];
  const lights = createStartLights(
    { pins, nowUs: () => now, sleep, random: () => 0.5 },
    { button: { line: 4 }, lamps: { a: 5, b: 6, g: 7 }, steps: [{ on: ['a'], ms: 1000 }, { on: ['a', 'b'], ms: 1000 }], holdMs: { min: 1000, max: 3000 }, green: ['g'], greenMs: 5000 },
    { onSequence: (at) => events.push(`sequence@${at}`), onGreen: (at) => events.push(`green@${at}`) },
  );
  pins.set(4, 1);
  pins.set(4, 0);
  pins.set(4, 1); // pressed again during the sequence
  t.equal(lights.phase(), 'sequence');
  await wakeNext();
  await wakeNext();
  now = 4_000_000;
  await wakeNext(); // the hold
  await waitFor('the green', () => lights.phase() === 'green');
  t.same(slept, [1000, 1000, 2000, 5000], 'the steps, the hold (min + random × (max − min)), then the green time');
  t.same(events, ['sequence@0', 'green@4000000'], 'one sequence; the green stamped when the lamps switched');
  await wakeNext();
  await waitFor('dark again', () => lights.phase() === 'idle');
  t.same([pins.writes(5), pins.writes(6), pins.writes(7)], [[0, 1, 1, 0, 0], [0, 0, 1, 0, 0], [0, 0, 0, 1, 0]]);
  lights.stop();
});

t.test('flag lamps follow the session’s flag and session events; garbage is logged and changes nothing', async (t) => {
  const nats = await startTestNats(t, { streams: false });
  const admin = await nats.connectAs('admin');
  const pins = createFakePins();
  const logs: string[] = [];
  const lamps = followFlags(admin, pins, { track: 'club', session: 'final', lamps: { green: [1], yellow: [2], fcy: [2, 3], checkered: [4] } }, (l) => logs.push(l));
  t.teardown(lamps.stop);
  await admin.flush();
  const lit = () => [1, 2, 3, 4].filter((l) => pins.level(l) === 1);
  admin.publish(subjects.timing('club', 'final', 'session'), JSON.stringify({ kind: 'session', verb: 'start', atUs: 1 }));
  await waitFor('green', () => lamps.flag() === 'green');
  t.same(lit(), [1]);
  admin.publish(subjects.timing('club', 'final', 'flag'), JSON.stringify({ kind: 'flag', flag: 'fcy', atUs: 2 }));
  await waitFor('fcy', () => lamps.flag() === 'fcy');
  t.same(lit(), [2, 3], 'a lamp may serve several flags');
  admin.publish(subjects.timing('club', 'final', 'flag'), 'not json');
  admin.publish(subjects.timing('club', 'final', 'flag'), JSON.stringify({ kind: 'flag', flag: 'red', atUs: 3 }));
  await waitFor('red', () => lamps.flag() === 'red');
  t.same(lit(), [], 'a flag without lamps: all off');
  t.match(logs.join('\n'), /undecodable message on timing\.club\.final\.flag/);
  admin.publish(subjects.timing('club', 'final', 'session'), JSON.stringify({ kind: 'session', verb: 'finish', atUs: 4 }));
  await waitFor('checkered', () => lamps.flag() === 'checkered');
  t.same(lit(), [4]);
});
