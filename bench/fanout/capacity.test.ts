import t from 'tap';
import { capacity, ratio } from './capacity.ts';
import type { StepResult } from './measure.ts';

const step = (deliveredPerSec: number, held: boolean, serverCores: number): StepResult => ({
  load: 1, seconds: 2, offeredPerSec: deliveredPerSec, deliveredPerSec, framesPerSec: deliveredPerSec, latency: { count: 10, p99Ms: held ? 5 : 2000 },
  serverCores, helperCores: {}, receiverCores: 0.95, machineCores: 1.5, held, closed: 0,
});

t.test('capacity is the best step that held, bounded by what stopped the ramp', async (t) => {
  t.same(capacity([step(100, true, 0.3), step(400, true, 0.95), step(900, false, 1.0)]).perSec, 400);
  t.equal(capacity([step(100, true, 0.3), step(900, false, 1.0)]).bound, 'server-bound');
  t.equal(capacity([step(100, true, 0.3), step(900, false, 0.5)]).bound, 'client-bound');
  t.equal(capacity([step(100, true, 0.3), { ...step(900, false, 0.5), receiverCores: 0.4 }]).bound, 'neither saturated');
  t.equal(capacity([step(100, true, 0.3), step(300, true, 0.5)]).bound, 'not saturated');
  t.equal(capacity([], 'boom').bound, 'failed');
});

t.test('a ratio counts only when both servers were the bottleneck', async (t) => {
  const busy = capacity([step(1000, true, 0.5), step(5000, false, 0.99)]);
  const peer = capacity([step(100, true, 0.95), step(500, false, 1.0)]);
  const r = ratio(busy, peer);
  t.equal(r?.value, 10);
  t.equal(r?.counts, true);
  const clientBound = ratio(capacity([step(1000, true, 0.5), step(5000, false, 0.5)]), peer);
  t.equal(clientBound?.counts, false);
  t.match(clientBound?.note, /client-bound/);
  t.equal(ratio(busy, capacity([])), undefined);
});
