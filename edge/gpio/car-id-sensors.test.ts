import net from 'node:net';
import t from 'tap';
import { waitFor } from '../../engine/testing/wait.ts';
import { createCrossingStamp } from './crossing-stamp.ts';
import type { Crossing } from './crossing.ts';
import { readSerial } from './serial-reader.ts';
import { watchStrobe } from './strobe-reader.ts';
import { createFakePins } from './testing/fake-pins.ts';

t.test('wiring (b): the car id on parallel lines is read at the strobe; id 0 is an error', async (t) => {
  let now = 1_000_000;
  const stamp = createCrossingStamp(() => now, { debounceUs: 5000 });
  const pins = createFakePins();
  const seen: Crossing[] = [];
  const errors: string[] = [];
  const DATA = [5, 6, 13, 19]; // least significant first
  watchStrobe(pins, stamp, { strobe: 4, data: DATA }, (c) => seen.push(c), (e) => errors.push(e));
  const send = (id: number) => {
    DATA.forEach((line, bit) => pins.set(line, ((id >> bit) & 1) as 0 | 1));
    pins.set(4, 1);
    pins.set(4, 0);
  };
  send(9);
  now += 2000;
  send(9); // within the debounce window: the same crossing
  now += 3_000_000;
  send(6);
  now += 3_000_000;
  send(0);
  t.same(seen, [{ atUs: 1_000_000, carId: '9' }, { atUs: 4_002_000, carId: '6' }]);
  t.same(errors, ['strobe with car id 0 (no car decoded)']);
  t.equal(stamp.bounces(), 1);
});

t.test('wiring (c): a serial car-id sensor over TCP: one crossing per id line, bad lines counted, reconnects', async (t) => {
  const sockets: net.Socket[] = [];
  const server = net.createServer((s) => sockets.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise((r) => server.close(r)));
  const port = (server.address() as net.AddressInfo).port;
  let now = 10_000_000;
  const stamp = createCrossingStamp(() => now, { debounceUs: 5000 });
  const seen: Crossing[] = [];
  const errors: string[] = [];
  const stop = readSerial({ tcp: { host: '127.0.0.1', port } }, stamp, (c) => seen.push(c), (e) => errors.push(e), (l) => t.comment(l));
  t.teardown(stop);

  const first = await waitFor('the sensor connected', () => sockets[0]);
  first.write('12\r\n12\n'); // the sensor repeats an id in one burst: one crossing
  await waitFor('the first crossing', () => seen.length === 1);
  now += 3_000_000;
  first.write('car 7!\n' + 'x'.repeat(100) + '\n7\n');
  await waitFor('the second crossing and both errors', () => seen.length === 2 && errors.length === 2);
  t.same(seen, [{ atUs: 10_000_000, carId: '12' }, { atUs: 13_000_000, carId: '7' }]);
  t.match(errors[0], /line 3: not a car id: "car 7!"/);
  t.match(errors[1], /line 4: over 64 characters/);

  first.destroy(); // the bridge drops; the reader connects again
  const second = await waitFor('a new connection', () => sockets[1], 10_000);
  now += 3_000_000;
  second.write('12\n');
  await waitFor('a crossing after the reconnect', () => seen.length === 3);
  t.same(seen[2], { atUs: 16_000_000, carId: '12' });
});
