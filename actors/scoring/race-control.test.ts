import t from 'tap';
import type { SessionInput } from '../contracts/events.ts';
import type { ControlStamp } from '../contracts/race-control.ts';
import { createSessionActor, type PersistedSession } from '../session-actor.ts';
import { createFeed, REF } from '../testing/race-feed.ts';

// Race control in the actor: the machines' refusals in words (asked before a command is written), the control log
// and the penalty list, and the corrections' effect on scores — all part of the persisted, replayable state.
const stamp = (id: string, why?: string): ControlStamp => ({ id, by: 'acc-1', org: 'club', atMs: 1_772_373_600_000, ...(why && { why }) });

function race() {
  const feed = createFeed();
  const actor = createSessionActor(REF, { publishLap: () => undefined });
  for (const input of [feed.declare(), feed.open()]) actor.send(input);
  return { feed, actor };
}

t.test('refusal(): the machines\' verdict in words, without changing anything', async (t) => {
  const { feed, actor } = race();
  const before = JSON.stringify(actor.persist());
  t.match(actor.refusal(feed.flag('fcy', 1000)), /no flag before the session starts \(the session is open\)/);
  t.match(actor.refusal({ kind: 'session', atUs: feed.at(0), verb: 'official' }), /the session is open: "official" is not a move from there/);
  t.equal(actor.refusal(feed.start()), undefined, 'start is a move from open');
  t.equal(JSON.stringify(actor.persist()), before, 'asking changed nothing');
  actor.send(feed.start());
  actor.send(feed.flag('white', 1000));
  t.match(actor.refusal(feed.flag('green', 2000)), /the flag machine does not allow white → green/);
  t.equal(actor.refusal(feed.flag('red', 2000)), undefined);
  t.equal(actor.refusal({ kind: 'penalty', atUs: feed.at(2000), car: '7', timeUs: 1 }), undefined, 'car inputs are not the machines\' to judge');
});

t.test('control log, penalties and corrections', async (t) => {
  const { feed, actor } = race();
  const c = <T extends SessionInput>(input: T, id: string, why?: string): SessionInput => ({ ...input, control: stamp(id, why) });
  const inputs: SessionInput[] = [
    c(feed.start(), 'c1'),
    feed.pass('7', 61_000), feed.pass('7', 122_000), feed.pass('12', 63_000),
    c(feed.flag('yellow', 130_000, 3), 'c2', 'debris'),
    c({ kind: 'penalty', atUs: feed.at(131_000), car: '7', type: 'time', timeUs: 10_000_000 }, 'c3', 'unsafe release'),
    c({ kind: 'penalty', atUs: feed.at(132_000), car: '99', type: 'time', timeUs: 10_000_000 }, 'c4'),
    c({ kind: 'penalty', atUs: feed.at(133_000), car: '12', type: 'dsq' }, 'c5'),
    c({ kind: 'correction', atUs: feed.at(134_000), car: '7', laps: -1 }, 'c6'),
    c({ kind: 'reassign', atUs: feed.at(135_000), car: '7', to: '5' }, 'c7'),
    c({ kind: 'note', atUs: feed.at(136_000), text: 'Car 12 black-flagged' }, 'c8'),
  ];
  for (const input of inputs) actor.send(input);
  const view = actor.view();
  t.same(view.controlLog?.map((e) => `${e.id} ${e.text}`), [
    'c1 Session started', 'c2 Local yellow in sector 3', 'c3 #7: time penalty +10 s', 'c5 #12: disqualified', 'c6 #7: passing removed',
    'c7 Passing of #7 credited to #5', 'c8 Car 12 black-flagged',
  ], 'every accepted control input in words; the penalty for an unknown car is not (the reducer counted it)');
  t.same(view.penalties?.map((p) => `${p.car} ${p.type}`), ['7 time', '12 dsq']);
  t.same(view.sectors, [3], 'the local yellow\'s sector is in the view');
  const row = (n: string) => view.rows.find((r) => r.number === n)!;
  t.equal(row('7').laps, 0, 'car 7: 2 laps − 1 removed − 1 given to #5');
  t.equal(row('5').laps, 1);
  t.equal(row('7').penaltyUs, 10_000_000);
  t.equal(row('12').status, 'dsq');
  t.equal(actor.rejected().unknownCar, 1);

  const restored = createSessionActor(REF, { publishLap: () => undefined }, JSON.parse(JSON.stringify(actor.persist())) as PersistedSession);
  t.strictSame(restored.view(), view, 'the log and penalties survive a restart');
});
