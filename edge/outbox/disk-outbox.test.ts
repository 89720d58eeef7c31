import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { inspectOutbox, openDiskOutbox, OutboxLockedError } from './disk-outbox.ts';
import { createMemoryOutbox } from './memory-outbox.ts';
import { OutboxFullError, type Outbox, type OutboxEntry } from './outbox.ts';

const tempDir = (t: Test) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pitwall-outbox-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
};
const message = (i: number) => ({ subject: 'edge.cota.loop-1.passing', msgId: `loop-1:b1:${i}`, data: JSON.stringify({ seq: i, atUs: 1_000_000 * i }) });
/** Acks `n` entries from the head, returning them. */
const take = (outbox: Outbox, n: number): OutboxEntry[] => {
  const out: OutboxEntry[] = [];
  for (let i = 0; i < n; i++) {
    const head = outbox.head();
    if (!head) break;
    outbox.ack(head);
    out.push(head);
  }
  return out;
};

t.test('in order, across segments and a reopen: acknowledged entries never come back, the others all do', async (t) => {
  const dir = tempDir(t);
  let outbox = openDiskOutbox(dir, { segmentBytes: 1000 });
  for (let i = 1; i <= 100; i++) t.equal(outbox.append(message(i)).index, i);
  t.ok(fs.readdirSync(dir).filter((f) => f.startsWith('seg-')).length > 3, 'several segments');
  t.same(take(outbox, 30).map((e) => e.msgId), Array.from({ length: 30 }, (_, i) => `loop-1:b1:${i + 1}`));
  t.match(outbox.stats(), { durable: true, pending: 70 });
  outbox.close();

  outbox = openDiskOutbox(dir, { segmentBytes: 1000 });
  t.match(outbox.stats(), { pending: 70, recovered: 70 });
  t.equal(outbox.head()?.msgId, 'loop-1:b1:31', 'the first unacknowledged entry, with its message id');
  t.equal(outbox.append(message(101)).index, 101, 'indexes go on');
  const rest = take(outbox, 1000);
  t.same(rest.map((e) => e.index), Array.from({ length: 71 }, (_, i) => i + 31), 'the rest, in order, once');
  t.same(JSON.parse(rest[0]!.data), { seq: 31, atUs: 31_000_000 }, 'data as appended');
  t.equal(outbox.head(), undefined);
  t.ok(fs.readdirSync(dir).filter((f) => f.startsWith('seg-')).length === 1, 'acknowledged segments are deleted');
  t.match(outbox.stats(), { pending: 0, pendingBytes: 0 });
  outbox.close();
  t.match(inspectOutbox(dir), { pending: 0, acked: 101, lastIndex: 101 });
});

t.test('a write torn by a crash and a damaged line are set aside and counted; the rest is delivered', async (t) => {
  const dir = tempDir(t);
  const outbox = openDiskOutbox(dir);
  for (let i = 1; i <= 3; i++) outbox.append(message(i));
  outbox.close();
  const [segment] = fs.readdirSync(dir).filter((f) => f.startsWith('seg-'));
  const file = path.join(dir, segment!);
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  fs.writeFileSync(file, `${lines[0]}\ngarbage\n${lines[1]}\n${lines[2]}\nedge.cota.loop-1.passing loop-1:b1:4 {"se`);

  const reopened = openDiskOutbox(dir);
  const got = take(reopened, 10);
  t.same(got.map((e) => e.msgId), ['loop-1:b1:1', 'loop-1:b1:2', 'loop-1:b1:3']);
  t.match(reopened.stats(), { unreadable: 2, pending: 0 });
  t.same(fs.readFileSync(path.join(dir, 'unreadable.log'), 'utf8').split('\n'), ['edge.cota.loop-1.passing loop-1:b1:4 {"se', 'garbage', ''], 'kept in unreadable.log');
  t.equal(reopened.append(message(5)).index, 5, 'appends go on after the repaired end');
  reopened.close();
});

t.test('one agent per outbox; a lock left by a dead process is taken over', async (t) => {
  const dir = tempDir(t);
  const outbox = openDiskOutbox(dir);
  fs.writeFileSync(path.join(dir, 'lock'), String(process.ppid)); // a live process that is not this one
  t.throws(() => openDiskOutbox(dir), OutboxLockedError);
  t.equal(inspectOutbox(dir).lockedBy, process.ppid);
  fs.writeFileSync(path.join(dir, 'lock'), '2147483646'); // no such process
  const again = openDiskOutbox(dir);
  t.equal(fs.readFileSync(path.join(dir, 'lock'), 'utf8'), String(process.pid));
  again.close();
  outbox.close();
});

t.test('bounded: a full outbox refuses with OutboxFullError and takes more once entries are acknowledged', async (t) => {
  for (const [name, outbox] of [['disk', openDiskOutbox(tempDir(t), { maxBytes: 1000 })], ['memory', createMemoryOutbox({ maxBytes: 1000 })]] as const) {
    let appended = 0;
    t.throws(() => {
      for (;;) {
        outbox.append(message(appended + 1));
        appended++;
      }
    }, OutboxFullError, `${name}: refused when full`);
    t.ok(appended > 5 && outbox.stats().pendingBytes <= 1000, `${name}: ${appended} entries, ${outbox.stats().pendingBytes} bytes`);
    take(outbox, 2);
    t.doesNotThrow(() => outbox.append(message(appended + 1)), `${name}: room again after acknowledgements`);
    t.throws(() => outbox.ack({ ...message(1), index: 999 }), /head/, `${name}: only the head can be acknowledged`);
    outbox.close();
  }
});
