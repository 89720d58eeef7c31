import t from 'tap';
import type { SessionInput } from '../../actors/contracts/events.ts';
import { createSessionActor } from '../../actors/session-actor.ts';
import { createFeed, REF } from '../../actors/testing/race-feed.ts';
import { translateCommand } from './command-input.ts';

// Corrections name a passing by its race time (raceMs); the engine turns it into the exact time of a passing the
// session holds, or refuses with the reason.
const feed = createFeed();
const actor = createSessionActor(REF, { publishLap: () => undefined });
const inputs: SessionInput[] = [
  feed.declare(), feed.open(), feed.start(), feed.pass('7', 100_000.4), feed.pass('7', 150_000.6), feed.pass('7', 200_000),
  { kind: 'seed', atUs: feed.at(190_000), car: '12', laps: 2, raceUs: 190_000_000 },
];
for (const input of inputs) actor.send(input);
const at = { atUs: feed.at(200_000), control: { id: 'c1', by: 'acc-1', org: 'club', atMs: 1 } };
const correction = (args: Record<string, unknown>) => translateCommand('correction', args, at, actor.scoring());

t.test('remove and fix-number: the passing within 1 ms of raceMs, else the last one', async (t) => {
  t.match(correction({ type: 'remove-passing', car: '7', raceMs: 150_001 }), { ok: true, input: { kind: 'passing-edit', edit: 'remove', car: '7', passingAtUs: feed.at(150_000.6) } });
  t.match(correction({ type: 'remove-passing', car: '7' }), { ok: true, input: { kind: 'passing-edit', edit: 'remove', passingAtUs: feed.at(200_000) } });
  t.match(correction({ type: 'fix-number', car: '7', to: '12', raceMs: 100_000 }), { ok: true, input: { kind: 'passing-edit', edit: 'move', to: '12', passingAtUs: feed.at(100_000.4) } });
  t.match(correction({ type: 'remove-passing', car: '7', raceMs: 150_002 }), { ok: false, code: 'not_allowed', reason: /no passing within 1 ms of race time 150002 ms/ });
  t.match(correction({ type: 'remove-passing', car: '7', raceMs: '2:30' }), { ok: false, code: 'bad_request', reason: /raceMs/ });
});

t.test('a car whose laps came from a feed\'s seed has no passing: without raceMs, the lap count changes only', async (t) => {
  t.match(correction({ type: 'remove-passing', car: '12' }), { ok: true, input: { kind: 'correction', car: '12', laps: -1 } });
  t.match(correction({ type: 'fix-number', car: '12', to: '7' }), { ok: true, input: { kind: 'reassign', car: '12', to: '7' } });
});

t.test('add: a passing at raceMs, not after the clock; without raceMs a lap on the count', async (t) => {
  t.match(correction({ type: 'add-passing', car: '05', raceMs: 120_000 }), { ok: true, input: { kind: 'passing-edit', edit: 'add', car: '05', passingAtUs: feed.at(120_000) } });
  t.match(correction({ type: 'add-passing', car: '05', raceMs: 200_001 }), { ok: false, code: 'not_allowed', reason: /after the session clock \(200000 ms\)/ });
  t.match(correction({ type: 'add-passing', car: '05' }), { ok: true, input: { kind: 'correction', car: '05', laps: 1 } });
});

t.test('the engine\'s input is one the actor applies: the removed double read joins two laps', async (t) => {
  const removal = correction({ type: 'remove-passing', car: '7', raceMs: 150_001 });
  if (!removal.ok) throw new Error(removal.reason);
  actor.send(removal.input);
  t.match(actor.view().rows.find((r) => r.number === '7'), { laps: 2, lastLapUs: 99_999_600 });
});
