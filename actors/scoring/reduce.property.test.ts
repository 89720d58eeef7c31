import t from 'tap';
import { createRandom } from '../random.ts';
import type { SessionInput } from '../contracts/events.ts';
import { createSessionActor, type PersistedSession } from '../session-actor.ts';
import { createFeed, REF, START_US } from '../testing/race-feed.ts';

const CARS = ['7', '05', '12', '5'];

/** A random session: timed crossings with noise (re-sends, re-timings, missed passings, short laps), flags, penalties. */
function randomRace(seed: number): SessionInput[] {
  const rnd = createRandom(seed).next;
  const f = createFeed();
  const inputs: SessionInput[] = [f.declare({ timeMs: 3_600_000 }), f.open(), f.start(0)];
  const last: Record<string, number> = {};
  for (const car of CARS) last[car] = 0;
  let clock = 0;
  for (let i = 0; i < 120; i++) {
    const car = CARS[Math.floor(rnd() * CARS.length)]!;
    const r = rnd();
    const lapMs = 90_000 + Math.floor(rnd() * 20_000);
    if (r < 0.05) inputs.push(f.flag(rnd() < 0.5 ? 'fcy' : 'green', clock));
    else if (r < 0.08) inputs.push({ kind: 'penalty', atUs: START_US + clock * 1000, car, timeUs: 5_000_000 });
    else if (r < 0.12) inputs.push({ kind: 'crossing', atUs: START_US + last[car]! * 1000, car, raceUs: last[car]! * 1000 + 1, lapUs: lapMs * 1000 }); // re-send-ish
    else {
      const start = r < 0.15 ? last[car]! + lapMs : last[car]!; // a missed passing
      const short = r > 0.97 ? 3_000 : lapMs;
      const end = start + short;
      last[car] = end;
      clock = Math.max(clock, end);
      inputs.push({ kind: 'crossing', atUs: START_US + end * 1000, car, raceUs: end * 1000, lapUs: short * 1000 });
    }
  }
  return inputs;
}

const actor = (from?: PersistedSession) => createSessionActor(REF, { publishLap: () => undefined }, from, { autoCheckered: false });

t.test('positions are 1..n without gaps, overall and per class, after every input', async (t) => {
  for (let seed = 1; seed <= 30; seed++) {
    const a = actor();
    for (const input of randomRace(seed)) {
      a.send(input);
      const rows = a.view().rows;
      const positions = rows.map((r) => r.position);
      if (positions.some((p, i) => p !== i + 1)) t.fail(`seed ${seed}: positions ${positions}`);
      const byClass = new Map<string, number[]>();
      for (const r of rows) byClass.set(r.class, [...(byClass.get(r.class) ?? []), r.classPosition]);
      for (const [cls, ps] of byClass) if (ps.some((p, i) => p !== i + 1)) t.fail(`seed ${seed}: class ${cls} ${ps}`);
    }
    t.pass(`seed ${seed}`);
  }
});

t.test('replaying any prefix, then persist/restore, then the rest equals replaying the whole', async (t) => {
  for (let seed = 100; seed < 120; seed++) {
    const inputs = randomRace(seed);
    const whole = actor();
    for (const input of inputs) whole.send(input);
    const split = Math.floor(createRandom(seed * 7).next() * inputs.length);
    const first = actor();
    for (const input of inputs.slice(0, split)) first.send(input);
    const restored = actor(JSON.parse(JSON.stringify(first.persist())) as PersistedSession);
    for (const input of inputs.slice(split)) restored.send(input);
    t.strictSame(restored.view(), whole.view(), `seed ${seed}, split ${split}`);
  }
});
