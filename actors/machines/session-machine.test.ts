import t from 'tap';
import { getInitialSnapshot, transition } from 'xstate';
import { type SessionMachineEvent, sessionMachine } from './session-machine.ts';

/** Pure transitions only: no actor, no clock. */
const run = (...events: SessionMachineEvent['type'][]) => {
  let snapshot = getInitialSnapshot(sessionMachine);
  for (const type of events) [snapshot] = transition(sessionMachine, snapshot, { type });
  return snapshot;
};

t.test('the whole life: scheduled → open → running → finishing → finished → official', async (t) => {
  const states = [] as unknown[];
  let snapshot = getInitialSnapshot(sessionMachine);
  states.push(snapshot.value);
  for (const type of ['OPEN', 'START', 'CHECKERED', 'FINISH', 'OFFICIAL'] as const) {
    [snapshot] = transition(sessionMachine, snapshot, { type });
    states.push(snapshot.value);
  }
  t.same(states, ['scheduled', 'open', 'running', 'finishing', 'finished', 'official']);
  t.equal(snapshot.status, 'done', 'official is final');
});

t.test('a start without an announced opening still runs the session', async (t) => {
  t.equal(run('START').value, 'running');
});

t.test('a running session may be finished without a checkered (not resumed after red)', async (t) => {
  t.equal(run('OPEN', 'START', 'FINISH').value, 'finished');
});

t.test('refused moves: can() is false and the state does not change', async (t) => {
  const cases: [SessionMachineEvent['type'][], SessionMachineEvent['type']][] = [
    [['OPEN', 'START'], 'START'], // start twice
    [['OPEN'], 'OPEN'],
    [[], 'CHECKERED'], // checkered before the start
    [['OPEN'], 'FINISH'],
    [['OPEN', 'START'], 'OFFICIAL'], // official before finished
    [['OPEN', 'START', 'CHECKERED'], 'CHECKERED'],
    [['OPEN', 'START', 'CHECKERED'], 'START'],
    [['OPEN', 'START', 'FINISH', 'OFFICIAL'], 'OPEN'],
  ];
  for (const [before, refused] of cases) {
    const snapshot = run(...before);
    t.notOk(snapshot.can({ type: refused }), `${refused} refused in ${String(snapshot.value)}`);
    const [next] = transition(sessionMachine, snapshot, { type: refused });
    t.equal(next.value, snapshot.value, `${refused} leaves ${String(snapshot.value)} unchanged`);
  }
});
