import t from 'tap';
import { getInitialSnapshot, transition } from 'xstate';
import type { Flag } from '../contracts/flags.ts';
import { type FlagMachineEvent, flagMachine } from './flag-machine.ts';

const flag = (f: Flag, sector?: number): FlagMachineEvent =>
  sector === undefined ? { type: 'FLAG', flag: f } : { type: 'FLAG', flag: f, sector };

const run = (...events: FlagMachineEvent[]) => {
  let snapshot = getInitialSnapshot(flagMachine);
  for (const event of events) [snapshot] = transition(flagMachine, snapshot, event);
  return snapshot;
};

const started = (...events: FlagMachineEvent[]) => run({ type: 'START' }, ...events);

t.test('no flag before the session runs; the start shows green', async (t) => {
  const before = run();
  t.equal(before.value, 'none');
  for (const f of ['green', 'checkered', 'red', 'yellow'] as const) t.notOk(before.can(flag(f)), `${f} refused before the start`);
  t.equal(started().value, 'green');
});

t.test('a race: green, local yellows by sector, fcy, safety car, green, white, checkered', async (t) => {
  let s = started(flag('yellow', 3), flag('yellow', 1), flag('yellow', 3));
  t.equal(s.value, 'yellow');
  t.same(s.context.sectors, [1, 3], 'sectors sorted and unique');
  s = started(flag('yellow', 3), flag('fcy'));
  t.equal(s.value, 'fcy');
  t.same(s.context.sectors, [], 'leaving yellow clears the sectors');
  s = started(flag('yellow', 2), flag('fcy'), flag('safety-car'), flag('green'), flag('code-60'), flag('green'), flag('white'), flag('checkered'));
  t.equal(s.value, 'checkered');
  t.equal(s.status, 'active');
});

t.test('red: from any racing flag; the session may resume or end under red', async (t) => {
  for (const from of ['green', 'yellow', 'fcy', 'safety-car', 'code-60', 'white'] as const) {
    const s = from === 'green' ? started(flag('red')) : started(flag(from), flag('red'));
    t.equal(s.value, 'red', `${from} → red`);
  }
  t.equal(started(flag('red'), flag('green')).value, 'green', 'resume');
  t.equal(started(flag('red'), flag('safety-car')).value, 'safety-car', 'resume behind the safety car');
  t.equal(started(flag('red'), flag('checkered')).value, 'checkered', 'ended under red');
  const red = started(flag('red'));
  t.notOk(red.can(flag('yellow')), 'red → yellow refused');
  t.notOk(red.can(flag('white')), 'red → white refused');
});

t.test('re-asserting the current flag is accepted and changes nothing', async (t) => {
  const s = started(flag('fcy'));
  t.ok(s.can(flag('fcy')));
  const [next] = transition(flagMachine, s, flag('fcy'));
  t.equal(next.value, 'fcy');
});

t.test('refused moves leave the state unchanged', async (t) => {
  const cases: [FlagMachineEvent[], FlagMachineEvent][] = [
    [[flag('white')], flag('green')], // the last lap cannot be un-announced
    [[flag('checkered')], flag('green')], // checkered is final
    [[flag('checkered')], flag('red')],
    [[], flag('none')],
    [[], { type: 'START' }], // start twice
  ];
  for (const [events, refused] of cases) {
    const s = started(...events);
    t.notOk(s.can(refused), `${JSON.stringify(refused)} refused in ${String(s.value)}`);
    const [next] = transition(flagMachine, s, refused);
    t.equal(next.value, s.value);
  }
});

t.test('the automatic checkered (from scoring) and the session finish show checkered from any running flag', async (t) => {
  t.equal(started({ type: 'CHECKERED' }).value, 'checkered');
  t.equal(started(flag('yellow', 4), { type: 'CHECKERED' }).context.sectors.length, 0);
  t.equal(started(flag('red'), { type: 'FINISH' }).value, 'checkered');
  t.notOk(run().can({ type: 'CHECKERED' }), 'no checkered before the start');
});
