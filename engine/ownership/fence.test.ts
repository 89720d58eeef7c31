import t from 'tap';
import { createFence, fencedInputs } from './fence.ts';

const tick = (atUs: number, lease?: number) => ({ kind: 'tick', payload: { kind: 'tick', atUs, ...(lease === undefined ? {} : { lease }) } });
const marker = (lease: number) => ({ kind: 'owner', payload: { atUs: 0, lease, node: `n${lease}` } });

t.test('an event counts only under the latest ownership marker before it, in stream order', async (t) => {
  const fence = createFence();
  t.equal(fence.admit('tick', {}), 'current', 'before any marker, events without a lease count (written before ownership existed)');
  t.equal(fence.admit('owner', { lease: 5 }), 'marker');
  t.equal(fence.epoch(), 5);
  t.equal(fence.admit('passing', { lease: 5 }), 'current');
  t.equal(fence.admit('passing', {}), 'stale', 'no lease after a marker: stale');
  t.equal(fence.admit('owner', { lease: 9 }), 'marker', 'a takeover');
  t.equal(fence.admit('passing', { lease: 5 }), 'stale', 'the former owner resumed and wrote: stale');
  t.equal(fence.admit('lap', { lease: 5 }), 'stale', 'its laps too');
  t.equal(fence.admit('owner', { lease: 5 }), 'stale', 'and its marker, were it to write one again');
  t.equal(fence.admit('owner', { lease: 9 }), 'marker', 'the same owner restarting its host writes its marker again');
  t.equal(fence.admit('passing', { lease: 9 }), 'current');
  t.equal(fence.admit('passing', { lease: 12 }), 'stale', 'an epoch without its marker first is not trusted either');
  t.equal(fence.epoch(), 9);
  t.equal(createFence(9).admit('tick', { lease: 9 }), 'current', 'a fence restored from a snapshot continues at its epoch');
});

t.test('fencedInputs: the inputs a fold sees, without lease fields, markers or laps', async (t) => {
  const { inputs, stale } = fencedInputs([
    tick(1),
    marker(2),
    tick(2, 2),
    { kind: 'lap', payload: { car: '7', lap: 1, lease: 2 } },
    marker(4),
    tick(3, 2), // late write of the paused owner 2
    tick(4, 4),
    { kind: 'no-such-kind', payload: { atUs: 5 } },
  ]);
  t.same(inputs, [{ kind: 'tick', atUs: 1 }, { kind: 'tick', atUs: 2 }, { kind: 'tick', atUs: 4 }]);
  t.equal(stale, 1, 'the late write is counted');
});
