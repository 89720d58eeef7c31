import t from 'tap';
import type { EdgePassing } from '../../actors/contracts/events.ts';
import { subjects } from '../../actors/contracts/subjects.ts';
import { readEdgeMessages } from '../../engine/testing/edge-stream.ts';
import { startTestNats } from '../../engine/testing/nats.ts';
import { createEdgeClock } from '../edge-clock.ts';
import { createGpioAgent } from './agent.ts';
import { createCrossingStamp } from './crossing-stamp.ts';
import type { Crossing } from './crossing.ts';
import { watchLanes } from './lane-sensors.ts';
import { createFakePins } from './testing/fake-pins.ts';
import { fourLaneConfig, LANE_LINES } from './testing/gpio-config.ts';

const track = 'slot-club';

t.test('four lanes fire in the same tick, one bouncing: exactly 4 passings in EDGE, one per lane, distinct times', async (t) => {
  const nats = await startTestNats(t);
  const nc = await nats.connectWith(await nats.server.addEdgeDevice(track, 'gpio-1'));
  const pins = createFakePins();
  const agent = createGpioAgent({ nc, pins, log: (l) => t.comment(l) }, fourLaneConfig(track));
  t.teardown(() => agent.stop());

  // One synchronous burst: lane 2's barrier chatters (5 edges: on, off, on, off, on) among the other lanes' crossings.
  const [l1, l2, l3, l4] = LANE_LINES;
  pins.set(l1, 1);
  pins.set(l2, 1);
  pins.set(l2, 0);
  pins.set(l3, 1);
  pins.set(l2, 1);
  pins.set(l2, 0);
  pins.set(l4, 1);
  pins.set(l2, 1);

  await agent.publisher.drained();
  const passings = (await readEdgeMessages(await nats.connectAs('admin'), subjects.edge(track, 'gpio-1', 'passing'))).map((m) => m.data as EdgePassing);
  t.equal(passings.length, 4, 'exactly 4 passings');
  t.same(passings.map((p) => p.lane).sort(), [1, 2, 3, 4], 'one per lane');
  t.equal(new Set(passings.map((p) => p.atUs)).size, 4, 'four distinct timestamps');
  t.ok(passings.every((p) => p.source === 'gpio' && p.precisionUs === 1000 && p.carId === undefined), 'source gpio, precisionUs on every passing');
  t.same(passings.map((p) => p.lane), [1, 2, 3, 4], 'in the order the edges came');
  t.equal(agent.counts().bounces, 2, "lane 2's two later rising edges are counted as bounces");
});

t.test('debounce by time: a chattering barrier within 2 ms is one crossing; the next lap is another', async (t) => {
  let nowNs = 1_000_000_000n;
  const clock = createEdgeClock({ monotonicNs: () => nowNs, wallMs: () => 1_700_000_000_000 });
  const stamp = createCrossingStamp(() => clock.nowUs(), { debounceUs: 5000 });
  const pins = createFakePins();
  const seen: Crossing[] = [];
  watchLanes(pins, stamp, { lanes: [{ lane: 1, line: 5 }] }, (c) => seen.push(c));
  for (const us of [0, 400, 900, 1500, 2000]) {
    nowNs = 1_000_000_000n + BigInt(us) * 1000n;
    pins.set(5, 1);
    pins.set(5, 0);
  }
  t.equal(seen.length, 1, '5 rising edges within 2 ms: one crossing');
  t.equal(seen[0]!.atUs, 1_700_000_000_000_000, 'timed at the first edge');
  nowNs = 1_000_000_000n + 3_200_000_000n; // a 3.2 s lap later
  pins.set(5, 1);
  t.equal(seen.length, 2, 'the next lap counts');
  t.equal(seen[1]!.atUs - seen[0]!.atUs, 3_200_000, 'lap time exact to the µs');
  t.equal(stamp.bounces(), 4);
});

t.test('stamps taken in the same microsecond are moved on by 1 µs, so they stay distinct and ordered', async (t) => {
  const stamp = createCrossingStamp(() => 100, { debounceUs: 5000 });
  t.same([stamp.stamp(), stamp.stamp(), stamp.stamp()], [100, 101, 102]);
});
