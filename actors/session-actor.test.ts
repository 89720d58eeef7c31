import t from 'tap';
import { lapMsgId, type LapEvent, type SessionInput } from './contracts/events.ts';
import { createSessionActor, foldSession, type PersistedSession } from './session-actor.ts';
import { createFeed, fiveLapRace, REF } from './testing/race-feed.ts';

const collect = () => {
  const laps: LapEvent[] = [];
  return { laps, deps: { publishLap: (lap: LapEvent) => void laps.push(lap) } };
};

const runAll = (inputs: SessionInput[]) => {
  const out = collect();
  const actor = createSessionActor(REF, out.deps);
  for (const input of inputs) actor.send(input);
  return { actor, laps: out.laps };
};

t.test('persist, JSON round trip, restore, continue: the same view as an uninterrupted run', async (t) => {
  const inputs = fiveLapRace();
  const whole = runAll(inputs);
  t.equal(whole.actor.view().state, 'official');
  for (let split = 0; split <= inputs.length; split += 37) {
    const first = collect();
    const a = createSessionActor(REF, first.deps);
    for (const input of inputs.slice(0, split)) a.send(input);
    const persisted = JSON.parse(JSON.stringify(a.persist())) as PersistedSession;
    a.stop();
    const second = collect();
    const b = createSessionActor(REF, second.deps, persisted);
    for (const input of inputs.slice(split)) b.send(input);
    t.strictSame(b.view(), whole.actor.view(), `split at ${split}`);
    t.strictSame(JSON.parse(JSON.stringify(b.persist())), JSON.parse(JSON.stringify(whole.actor.persist())), `same persisted state at ${split}`);
    t.same([...first.laps, ...second.laps], whole.laps, `every lap published once across the restart at ${split}`);
  }
});

t.test('laps are published once each, in order, and a re-delivered stream publishes nothing more', async (t) => {
  const inputs = fiveLapRace();
  const { actor, laps } = runAll(inputs);
  t.equal(laps.length, 17);
  t.equal(new Set(laps.map(lapMsgId)).size, laps.length, 'one message id per lap');
  t.same(laps.filter((l) => l.car === '7').map((l) => l.lap), [1, 2, 3, 4, 5]);
  const before = JSON.stringify(actor.view());
  for (const input of inputs) if (input.kind === 'passing') actor.send(input);
  t.equal(laps.length, 17, 're-sent passings are duplicates');
  t.equal(JSON.stringify(actor.view()), before);
  t.equal(actor.rejected().duplicate, inputs.filter((i) => i.kind === 'passing').length);
});

t.test('state and flag come from the machines; scoring\'s checkered moves both', async (t) => {
  const f = createFeed();
  const { actor } = runAll([f.declare({ laps: 2 }), f.open(), f.start(0), f.flag('yellow', 30_000, 4), f.pass('7', 99_000)]);
  t.match(actor.view(), { state: 'running', flag: 'yellow', remainingLaps: 1 });
  actor.send(f.flag('green', 120_000));
  actor.send(f.pass('7', 197_500));
  t.match(actor.view(), { state: 'finishing', flag: 'checkered' });
  t.equal(actor.persist().session && (actor.persist().session as { value?: unknown }).value, 'finishing');
  actor.send(f.pass('05', 199_000));
  actor.send(f.finish(400_000));
  actor.send(f.official(900_000));
  t.match(actor.view(), { state: 'official', flag: 'checkered' });
  t.same(actor.view().rows.slice(0, 2).map((r) => [r.number, r.laps, r.finished]), [['7', 2, true], ['05', 1, true]]);
});

t.test('refused and bad inputs are counted, never thrown, and change nothing', async (t) => {
  const f = createFeed();
  const laps = collect();
  const actor = createSessionActor(REF, laps.deps);
  actor.send(f.start(0)); // before the declaration
  actor.send(f.pass('7', 10_000));
  actor.send(f.declare());
  actor.send(f.flag('green', -1_000)); // no green before the start
  actor.send(f.open());
  actor.send(f.open()); // twice
  actor.send(f.start(0));
  const running = JSON.stringify(actor.view());
  actor.send(f.start(5_000)); // start twice
  actor.send(f.official(6_000)); // official while running
  actor.send(f.flag('white', 7_000));
  actor.send(f.flag('green', 8_000)); // white → green
  actor.send({ kind: 'flag', atUs: f.at(9_000), flag: 'purple' } as unknown as SessionInput);
  actor.send({ kind: 'passing', atUs: f.at(9_500), car: '7' } as unknown as SessionInput);
  actor.send(null as unknown as SessionInput);
  t.same(actor.rejected(), {
    malformed: 3, beforeDeclaration: 2, refused: 5,
    unknownCar: 0, duplicate: 0, beforeStart: 0, shortLap: 0, outOfOrder: 0, redFlag: 0, afterFinish: 0, undeclared: 0,
  });
  t.match(actor.view(), { state: 'running', flag: 'white' });
  t.equal(JSON.parse(running).clockUs, 0);
  t.equal(actor.view().clockUs, 7_000_000, 'only the accepted white flag moved the clock');
  t.same(laps.laps, []);
});

t.test('foldSession scores a stream offline exactly as the live actor does', async (t) => {
  const inputs = fiveLapRace();
  t.strictSame(foldSession(inputs, REF), runAll(inputs).actor.view());
  t.throws(() => foldSession(inputs), /2 sessions \(practice, race-1\); pass ref/, 'the session must be named when ambiguous');
  const single = inputs.map((i) =>
    i.kind === 'declaration'
      ? { ...i, declaration: { ...i.declaration, sessions: i.declaration.sessions.filter((s) => s.id === REF.session) } }
      : i,
  );
  t.strictSame(foldSession(single), foldSession(inputs, REF), 'a declaration of one session names it');
});

t.test('a persisted session restores only the session it came from', async (t) => {
  const persisted = createSessionActor(REF, collect().deps).persist();
  t.throws(() => createSessionActor({ ...REF, session: 'race-2' }, collect().deps, persisted), /cannot restore/);
});

t.test('after stop, inputs are ignored', async (t) => {
  const f = createFeed();
  const { actor, laps } = runAll([f.declare(), f.start(0)]);
  actor.stop();
  actor.send(f.pass('7', 99_000));
  t.same(laps, []);
  t.equal(actor.view().rows[0]!.laps, 0);
});

t.test('an edge reading re-sent long after (beyond the streams\' windows) is applied once: flags, ticks, session verbs', async (t) => {
  const feed = createFeed();
  const race = fiveLapRace();
  // A full-course yellow and the green after it, mid-race, as a source that owns the flags would send them.
  const mid = race.findIndex((i) => i.kind === 'tick' && i.atUs >= feed.at(150_000));
  const inputs = [...race.slice(0, mid), feed.flag('fcy', 150_000), ...race.slice(mid, mid + 20), feed.flag('green', 170_000), ...race.slice(mid + 20)];
  const stamped = inputs.map((input, i) => (input.kind === 'passing' || input.kind === 'declaration' ? input : { ...input, reading: { device: 'sim', boot: 'b1', seq: i + 1 } }));
  const once = runAll(stamped);
  const yellow = stamped.find((i) => i.kind === 'flag' && i.flag === 'fcy')!;
  const lateTick = stamped.find((i) => i.kind === 'tick' && i.atUs >= feed.at(300_000))!;
  // The yellow and a tick again later in the race, as a replayed outbox would send them: applied again, the yellow
  // would be out from then on and the laps after it would carry it.
  const at = stamped.indexOf(lateTick) + 1;
  const replayed = (flag: SessionInput) => [...stamped.slice(0, at), flag, lateTick, ...stamped.slice(at)];
  const twice = runAll(replayed(yellow));
  t.strictSame(twice.actor.view(), once.actor.view(), 'the same standings and flag');
  t.strictSame(twice.laps, once.laps, 'the same laps, with the same flags');
  t.equal(twice.actor.rejected().duplicate, (once.actor.rejected().duplicate ?? 0) + 2, 'both counted as duplicates');
  const { reading: _r, ...unstampedYellow } = yellow as typeof yellow & { reading?: unknown };
  const without = runAll(replayed(unstampedYellow as SessionInput));
  t.notSame(without.laps, once.laps, 'the same flag without its reading id would change the laps');
});
