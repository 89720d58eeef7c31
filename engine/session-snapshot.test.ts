import { Kvm } from '@nats-io/kv';
import t from 'tap';
import { loadSessionSnapshot, saveSessionSnapshot, snapshotKey, type SessionSnapshot } from './session-snapshot.ts';
import { startTestNats } from './testing/nats.ts';

const ref = { track: 'demo-park', event: 'demo-day', session: 'race-24h' };

/** A snapshot shaped like a 24-hour race's: its kept passings make its JSON larger than NATS's 1 MB max_payload. */
function bigSnapshot(passings: number): SessionSnapshot {
  const kept = Array.from({ length: passings }, (_, i) => ({ car: String(1 + (i % 100)), atUs: 1_900_000_000_000_000 + i * 1_234_567, reading: { device: 'loop-1', boot: 'b1', seq: i + 1 } }));
  return { version: 1, actor: { ref, kept } as unknown as SessionSnapshot['actor'], streamSeq: passings * 2, seq: 42, view: { rows: [] } as unknown as SessionSnapshot['view'], fence: 3, writer: 3 };
}

t.test('a snapshot whose JSON exceeds max_payload is saved compressed and loads back the same', async (t) => {
  const nats = await startTestNats(t);
  const kv = await new Kvm(await nats.connectAs('engine')).open('session-state');
  const snapshot = bigSnapshot(70_000);
  t.ok(JSON.stringify(snapshot).length > 1024 ** 2, 'its JSON is over 1 MB');
  const revision = await saveSessionSnapshot(kv, ref, snapshot, 0);
  t.ok((await kv.get(snapshotKey(ref)))!.value.length < 1024 ** 2, 'what KV holds is under 1 MB');
  const loaded = await loadSessionSnapshot(kv, ref);
  t.same(loaded?.snapshot, snapshot);
  t.equal(loaded?.revision, revision);
});

t.test('a snapshot saved as plain JSON (before compression) still loads, and the next save replaces it', async (t) => {
  const nats = await startTestNats(t);
  const kv = await new Kvm(await nats.connectAs('engine')).open('session-state');
  const old = bigSnapshot(10);
  const revision = await kv.create(snapshotKey(ref), JSON.stringify(old));
  t.same((await loadSessionSnapshot(kv, ref))?.snapshot, old);
  const next = { ...old, seq: 43 };
  await saveSessionSnapshot(kv, ref, next, revision);
  t.equal((await loadSessionSnapshot(kv, ref))?.snapshot.seq, 43);
});
