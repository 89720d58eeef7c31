import t, { type Test } from 'tap';
import WebSocket from 'ws';
import type { SessionView } from '../actors/contracts/view.ts';
import { applyViewDiff } from '../actors/contracts/view-diff.ts';
import { startTestNats } from '../engine/testing/nats.ts';
import { decodeServerFrame, encodeFrame, type SessionRef } from './protocol.ts';
import { startFakeEngine, type FakeEngine } from './testing/fake-engine.ts';
import { startTestGateway, type TestGateway } from './testing/gateway.ts';
import { sampleView } from './testing/race-views.ts';
import { waitFor } from './testing/wait.ts';

const nats = await startTestNats(t, { streams: false });
const engineNc = await nats.connectAs('engine');
const gatewayNc = await nats.connectAs('gateway');

/** Small enough that a paused socket crosses it soon after the kernel's socket buffers (a few MB) are full. */
const MAX_BACKPRESSURE = 64 * 1024;
const CARS = 100;

/**
 * Every car completes a lap, order unchanged: a diff touching every row (about 5 KB), so that a paused socket fills
 * up quickly. (Not race-views' completeLap per car: re-ranking 100 times per step is too slow here.)
 */
function everyCarLaps(view: SessionView, round: number): SessionView {
  const rows = view.rows.map((row, i) => {
    const lapUs = 90_000_000 + ((round * 7919 + i * 104_729) % 2_000_000);
    return { ...row, laps: row.laps + 1, lastLapUs: lapUs, bestLapUs: Math.min(row.bestLapUs ?? lapUs, lapUs), raceUs: (row.raceUs ?? 0) + lapUs };
  });
  return { ...view, clockUs: Math.max(...rows.map((r) => r.raceUs)), rows };
}

/**
 * A spectator on a plain `ws` socket that keeps every frame of one session, in order, and applies them; frames of
 * the other sessions it follows are kept in `elsewhere`.
 */
interface Recorder {
  ws: WebSocket;
  frames: { type: 'snapshot' | 'diff'; seq: number; bytes: number }[];
  elsewhere: { session: string; type: 'snapshot' | 'diff'; seq: number }[];
  view?: SessionView;
  seq?: number;
  closeCode?: number;
}

async function spectator(t: Test, url: string, ref: SessionRef, alsoFollows: SessionRef[] = []): Promise<Recorder> {
  const ws = new WebSocket(url);
  const rec: Recorder = { ws, frames: [], elsewhere: [] };
  ws.on('message', (data: Buffer) => {
    const decoded = decodeServerFrame(new Uint8Array(data));
    if (!decoded.ok) throw new Error(`undecodable frame from the gateway: ${decoded.message}`);
    const f = decoded.frame;
    if ((f.type === 'snapshot' || f.type === 'diff') && f.session !== ref.session) {
      return void rec.elsewhere.push({ session: f.session, type: f.type, seq: f.seq });
    }
    if (f.type === 'snapshot') {
      rec.view = f.view;
    } else if (f.type === 'diff' && rec.view) {
      rec.view = applyViewDiff(rec.view, f.diff);
    } else {
      return;
    }
    rec.seq = f.seq;
    rec.frames.push({ type: f.type, seq: f.seq, bytes: data.byteLength });
  });
  ws.on('close', (code) => { rec.closeCode = code; });
  t.teardown(() => ws.terminate());
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  for (const r of [ref, ...alsoFollows]) ws.send(encodeFrame({ type: 'subscribe', ...r }));
  return rec;
}

/** The seqs of a recorder's diffs that do not follow the frame before them (a gap the client would have to fix). */
const gaps = (rec: Recorder) =>
  rec.frames.flatMap((f, i) => (f.type === 'diff' && rec.frames[i - 1]?.seq !== f.seq - 1 ? [f.seq] : []));

/** Publishes rounds of laps until `done()` holds (checked before the first and every 25th); fails after `maxRounds`. */
async function publishUntil(engine: FakeEngine, done: () => Promise<boolean>, what: string, maxRounds = 3000): Promise<number> {
  for (let round = 0; round <= maxRounds; round++) {
    if (round % 25 === 0 && await done()) return round;
    await engine.update(everyCarLaps(engine.view(), engine.seq()));
  }
  throw new Error(`${maxRounds} rounds published and still not ${what}`);
}

const outOfFanOut = (gw: TestGateway) => async () => await gw.metric('pitwall_gateway_slow_spectators') === 1;
const heldBytes = (gw: TestGateway) => gw.metric('pitwall_gateway_slow_spectators_buffered_bytes');

t.test('a spectator that stops reading leaves fan-out, the others get every diff, and it is resynced when it drains', async (t) => {
  const ref = { track: 'spa', session: 'race-1' };
  const engine = await startFakeEngine(engineNc, { view: sampleView({ ...ref, cars: CARS }), seq: 100 });
  t.teardown(() => engine.stop());
  const quietRef = { track: 'spa', session: 'practice-1' }; // a second session the slow spectator follows
  const quiet = await startFakeEngine(engineNc, { view: sampleView(quietRef), seq: 7 });
  t.teardown(() => quiet.stop());
  const gw = await startTestGateway(t, gatewayNc, { maxBackpressure: MAX_BACKPRESSURE, slowSpectatorTimeoutMs: 60_000 });
  const others = await Promise.all([1, 2, 3].map(() => spectator(t, gw.wsUrl, ref)));
  const slow = await spectator(t, gw.wsUrl, ref, [quietRef]);
  await waitFor(() => [...others, slow].every((r) => r.seq === 100) && slow.elsewhere.length === 1, 'every spectator has its snapshots');

  slow.ws.pause(); // stops reading: its kernel buffers, then its queue in the gateway, fill up
  const pausedAt = Date.now();
  const rounds = await publishUntil(engine, outOfFanOut(gw), 'out of fan-out');
  t.comment(`the paused spectator left fan-out after ${rounds} diffs of ~${others[0]?.frames.at(-1)?.bytes} bytes`);
  let mostHeld = await heldBytes(gw);
  t.ok(mostHeld > MAX_BACKPRESSURE, `it really went over the limit (${mostHeld} bytes queued when it left fan-out)`);
  slow.ws.send(encodeFrame({ type: 'resync', ...ref })); // it still writes: answered by the snapshot when it drains

  while (Date.now() < pausedAt + 10_000) { // it stays paused for 10 s while the race goes on
    await engine.update(everyCarLaps(engine.view(), engine.seq()));
    mostHeld = Math.max(mostHeld, await heldBytes(gw));
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const largestFrame = Math.max(...others.flatMap((r) => r.frames.map((f) => f.bytes)));
  t.ok(mostHeld <= MAX_BACKPRESSURE + largestFrame + 16,
    `what the gateway holds for it stays bounded (at most ${mostHeld} ≤ ${MAX_BACKPRESSURE} + ${largestFrame} bytes)`);
  t.ok(await gw.metric('pitwall_gateway_frames_dropped_total') > 0, 'frames skipped for it are counted');

  // The kernel may take the rest of its queue meanwhile (it is then resynced at once, and fills up again): it is
  // out of fan-out again when it starts reading.
  await publishUntil(engine, outOfFanOut(gw), 'out of fan-out again');
  const lastPublished = engine.seq();
  slow.ws.resume();
  const resyncedAfter = (f: Recorder['frames'][number]) => f.type === 'snapshot' && f.seq >= lastPublished;
  await waitFor(() => slow.frames.some(resyncedAfter), 'the resync snapshot', 30_000);
  t.pass(`after it drained it got a snapshot at seq ${slow.frames.find(resyncedAfter)?.seq} ≥ the last published ${lastPublished}`);

  for (let i = 0; i < 5; i++) await engine.update(everyCarLaps(engine.view(), engine.seq()));
  await waitFor(() => [...others, slow].every((r) => r.seq === engine.seq()), 'every spectator at the last diff');
  const diffs = engine.seq() - 100;
  for (const [i, other] of others.entries()) {
    t.same(other.frames.filter((f) => f.type === 'snapshot').map((f) => f.seq), [100], `spectator ${i + 1}: one snapshot, no resync`);
    t.same(gaps(other), [], `spectator ${i + 1}: every diff, consecutive seqs`);
    t.equal(other.frames.length, diffs + 1, `spectator ${i + 1}: all ${diffs} diffs`);
    t.same(other.view, engine.view(), `spectator ${i + 1}: the engine's view`);
  }
  const resyncs = await gw.metric('pitwall_gateway_slow_spectators_resynced_total');
  t.ok(resyncs >= 1, `the slow spectator was resynced: ${resyncs} resync(s) (the kernel may let it back early once)`);
  t.equal(await gw.metric('pitwall_gateway_slow_spectators_removed_total'), resyncs, 'each removal ended in a resync');
  const slowSnapshots = slow.frames.filter((f) => f.type === 'snapshot').length;
  t.equal(slowSnapshots, 1 + resyncs, 'the slow spectator: its first snapshot and one per resync (its resync frame asked no more)');
  t.ok(slow.frames.filter((f) => f.type === 'diff').length < diffs, 'it missed diffs while out of fan-out');
  t.same(gaps(slow), [], 'the slow spectator never sees a gap: its last queued diffs, then a snapshot, then diffs');
  t.same(slow.view, engine.view(), "the slow spectator ends with the engine's view");
  t.same(slow.elsewhere, Array.from({ length: slowSnapshots }, () => ({ session: 'practice-1', type: 'snapshot', seq: 7 })),
    'and a snapshot of the other session it follows with each resync');

  t.equal(await gw.metric('pitwall_gateway_slow_spectators_disconnected_total'), 0, 'not disconnected');
  t.equal(await gw.metric('pitwall_gateway_slow_spectators'), 0, 'back in fan-out');
  t.equal(await gw.metric('pitwall_gateway_resyncs_total'), 1, 'only the paused spectator asked for a resync');
  t.equal(engine.snapshotRequests(), 1, 'served from the gateway view: the engine was asked once');
});

t.test('a spectator over the limit for longer than the bound is disconnected; the others go on', async (t) => {
  const ref = { track: 'spa', session: 'race-2' };
  const engine = await startFakeEngine(engineNc, { view: sampleView({ ...ref, cars: CARS }), seq: 1 });
  t.teardown(() => engine.stop());
  const gw = await startTestGateway(t, gatewayNc, { maxBackpressure: MAX_BACKPRESSURE, slowSpectatorTimeoutMs: 1000 });
  const other = await spectator(t, gw.wsUrl, ref);
  const slow = await spectator(t, gw.wsUrl, ref);
  await waitFor(() => other.seq === 1 && slow.seq === 1, 'both have the snapshot');

  slow.ws.pause();
  await publishUntil(engine, outOfFanOut(gw), 'out of fan-out');
  await publishUntil(engine, async () => await gw.metric('pitwall_gateway_slow_spectators_disconnected_total') === 1, 'disconnected');
  t.equal(await gw.metric('pitwall_gateway_connections'), 1, 'the gateway closed it');
  t.equal(await gw.metric('pitwall_gateway_slow_spectators'), 0, 'no slow spectator left');
  t.equal(await gw.metric('pitwall_gateway_slow_spectators_buffered_bytes'), 0, 'nothing held for it any more');

  for (let i = 0; i < 3; i++) await engine.update(everyCarLaps(engine.view(), i));
  await waitFor(() => other.seq === engine.seq(), 'the other spectator at the last diff');
  t.same(gaps(other), [], 'the other spectator got every diff');
  t.same(other.view, engine.view(), "the other spectator has the engine's view");

  slow.ws.resume(); // it reads what the kernel still held, then sees the connection end without a close frame
  await waitFor(() => slow.closeCode !== undefined, 'the slow spectator to see the close', 30_000);
  t.equal(slow.closeCode, 1006, 'closed abnormally (no close frame could get through its full queue)');
  t.same(gaps(slow), [], 'and what it did get had no gap');
});
