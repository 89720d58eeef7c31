import t from 'tap';
import { createKeyedQueue } from './keyed-queue.ts';

const tick = () => new Promise((r) => setImmediate(r));

t.test('one key runs in order, one at a time; another key runs beside a stalled one', async (t) => {
  const queue = createKeyedQueue({ maxPending: 10 });
  const log: string[] = [];
  let release!: () => void;
  const stalled = new Promise<void>((r) => (release = r));
  await queue.add('a', async () => {
    log.push('a1 start');
    await stalled;
    log.push('a1 end');
  });
  await queue.add('a', async () => void log.push('a2'));
  await queue.add('b', async () => void log.push('b1'));
  await tick();
  t.same(log, ['a1 start', 'b1'], 'b ran while a1 stalls; a2 waits for a1');
  release();
  await queue.idle();
  t.same(log, ['a1 start', 'b1', 'a1 end', 'a2']);
});

t.test('a failing task does not stop its key; add waits for room beyond maxPending', async (t) => {
  const queue = createKeyedQueue({ maxPending: 2 });
  const log: string[] = [];
  let release!: () => void;
  const stalled = new Promise<void>((r) => (release = r));
  await queue.add('a', async () => {
    await stalled;
    throw new Error('boom');
  });
  await queue.add('a', async () => void log.push('a2'));
  let third = false;
  const adding = queue.add('b', async () => void log.push('b1')).then(() => (third = true));
  await tick();
  t.notOk(third, 'the third task waits: two are pending');
  release();
  await adding;
  await queue.idle();
  t.same(log.sort(), ['a2', 'b1'], 'a2 ran after a1 failed');
});
