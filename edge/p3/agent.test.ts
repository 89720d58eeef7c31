import { fileURLToPath } from 'node:url';
import t from 'tap';
import type { EdgePassing } from '../../actors/contracts/events.ts';
import type { EdgeRawMessage, P3AgentHealth } from '../../actors/contracts/raw.ts';
import { subjects } from '../../actors/contracts/subjects.ts';
import { readEdgeMessages } from '../../engine/testing/edge-stream.ts';
import { startTestNats } from '../../engine/testing/nats.ts';
import { waitFor } from '../rmonitor/testing/stream.ts';
import { createP3Agent } from './agent.ts';
import { readP3Capture } from './capture.ts';
import { p3Crc } from './crc.ts';
import { escapeP3Frame } from './framer.ts';
import { createP3ReplayServer } from './replay-server.ts';

const TRACK = 'karting';
const AMB = fileURLToPath(new URL('./fixtures/amb.out', import.meta.url));
const FAST_BACKOFF = { initialMs: 20, maxMs: 200 };

/** Lap times (ms) per transponder from a list of (transponder, atUs), in order. */
function lapsByTransponder(passings: { transponder: string; atUs: number }[]): Map<string, number[]> {
  const last = new Map<string, number>();
  const laps = new Map<string, number[]>();
  for (const p of passings) {
    const before = last.get(p.transponder);
    if (before !== undefined) laps.set(p.transponder, [...(laps.get(p.transponder) ?? []), (p.atUs - before) / 1000]);
    last.set(p.transponder, p.atUs);
  }
  return laps;
}

t.test('the real capture over a socket → 84 passings of 3 transponders in JetStream, lap times as the records say', async (t) => {
  const nats = await startTestNats(t);
  const device = 'p3-1';
  const nc = await nats.connectWith(await nats.server.addEdgeDevice(TRACK, device));
  const replay = await createP3ReplayServer({ file: AMB });
  t.teardown(() => replay.stop());
  const agent = createP3Agent({ nc }, { track: TRACK, device, host: '127.0.0.1', port: replay.port, backoff: FAST_BACKOFF });
  t.teardown(() => agent.stop());

  await waitFor('every frame and passing acked', () => agent.health().ackedSeq === 1388 + 84);
  const engine = await nats.connectAs('engine');
  const passings = (await readEdgeMessages(engine, subjects.edge(TRACK, device, 'passing'))).map((m) => m.data as EdgePassing);
  const raws = (await readEdgeMessages(engine, subjects.edge(TRACK, device, 'raw'))).map((m) => m.data as EdgeRawMessage);

  t.equal(passings.length, 84, '84 passings');
  t.same([...new Set(passings.map((p) => p.transponder))].sort(), ['3292480', '3438895', '5691251'], '3 transponders');
  t.ok(passings.every((p) => p.source === 'p3' && p.precisionUs === 1000 && p.chip === undefined), 'source p3, 1 ms precision');
  t.equal(raws.length, 1388, 'every frame kept as raw');
  const passingRecords = raws.flatMap((r) => (r.source === 'p3' && r.record?.type === 'passing' ? [r.record] : []));
  t.equal(passingRecords.length, 84);

  const laps = lapsByTransponder(passings.map((p) => ({ transponder: p.transponder!, atUs: p.atUs })));
  const recordLaps = lapsByTransponder(passingRecords.map((r) => ({ transponder: r.transponder, atUs: r.rtcTimeUs })));
  t.same(laps, recordLaps, 'lap times from the passings are the RTC_TIME differences of the PASSING records');
  t.same([...laps.values()].map((l) => l.length).sort(), [25, 26, 30], '81 laps: 84 passings minus each first');
  // Known laps of the capture (README: laps of about 40–55 s), read off the hex by hand for the first transponder.
  t.same(laps.get('5691251')!.slice(0, 3), [55683, 53015, 51548]);
  t.equal(laps.get('3438895')!.filter((ms) => ms < 35_000).length, 1, 'one short lap (2.767 s): the kart crossed, stopped and crossed again');

  const h: P3AgentHealth = agent.health();
  t.match(h, { agent: 'p3', connected: true, frames: 1388, passings: 84, statuses: 1304, duplicates: 0, errors: {} });
  t.ok(h.decoderOffsetUs! < -1e14, 'the decoder clock of 2019 is years behind the agent: its offset shows it');
});

t.test('a mutated copy: CRC errors counted and kept as raw with their reason, the other passings published, the agent reads on', async (t) => {
  const nats = await startTestNats(t);
  const device = 'p3-2';
  const nc = await nats.connectWith(await nats.server.addEdgeDevice(TRACK, device));
  // Every 97th frame and every 10th PASSING (TOR 1 at byte 8 when the CRC needed no escape) get one payload bit flipped.
  const frames = await readP3Capture(AMB);
  const isPassing = (f: Uint8Array) => f[8] === 1 && f[9] === 0;
  const passingIndex = new Map(frames.filter(isPassing).map((f, n) => [f, n]));
  const mutated = (f: Uint8Array, i: number) => i % 97 === 3 || (passingIndex.get(f) ?? 1) % 10 === 0;
  const replay = await createP3ReplayServer({ file: AMB, transform: (f, i) => (mutated(frames[i]!, i) ? Uint8Array.from(f, (b, j) => (j === 11 ? b ^ 0x10 : b)) : f) });
  t.teardown(() => replay.stop());
  const lines: string[] = [];
  const agent = createP3Agent({ nc, log: (l) => lines.push(l) }, { track: TRACK, device, host: '127.0.0.1', port: replay.port, backoff: FAST_BACKOFF });
  t.teardown(() => agent.stop());

  const bad = frames.filter(mutated).length;
  const badPassings = frames.filter((f, i) => isPassing(f) && mutated(f, i)).length;
  await waitFor('every frame counted', () => agent.health().frames + (agent.health().errors.crc ?? 0) === 1388);
  const h = agent.health();
  t.same(h.errors, { crc: bad }, `${bad} CRC errors, nothing else`);
  t.equal(lines.filter((l) => /^p3: 127\.0\.0\.1:\d+: crc: CRC 0x[0-9a-f]{4} in the frame, 0x[0-9a-f]{4} computed \(8e/.test(l)).length, bad, 'a precise log line for each');
  await waitFor('all acked', () => agent.health().ackedSeq === 1388 + h.passings);
  const engine = await nats.connectAs('engine');
  const raws = (await readEdgeMessages(engine, subjects.edge(TRACK, device, 'raw'))).map((m) => m.data as EdgeRawMessage);
  t.equal(raws.filter((r) => r.source === 'p3' && r.error?.kind === 'crc').length, bad, 'the rejected frames are kept as raw with their error');
  t.ok(badPassings >= 8, `${badPassings} PASSINGs mutated`);
  t.equal(h.passings, 84 - badPassings, 'every good passing published');
  t.ok(h.connected, 'still connected');
});

t.test('the decoder connection drops and the capture is served again: reconnect, no passing published twice', async (t) => {
  const nats = await startTestNats(t);
  const device = 'p3-3';
  const nc = await nats.connectWith(await nats.server.addEdgeDevice(TRACK, device));
  const first = await createP3ReplayServer({ file: AMB });
  const agent = createP3Agent({ nc }, { track: TRACK, device, host: '127.0.0.1', port: first.port, backoff: FAST_BACKOFF });
  t.teardown(() => agent.stop());
  await waitFor('first pass read', () => agent.health().passings === 84);
  await first.stop();
  await waitFor('the loss seen', () => !agent.health().connected);
  const second = await createP3ReplayServer({ file: AMB, port: first.port });
  t.teardown(() => second.stop());
  await waitFor('the capture read again', () => agent.health().duplicates === 84);
  t.match(agent.health(), { reconnects: 1, passings: 84, frames: 2 * 1388 });
  await waitFor('all acked', () => agent.health().ackedSeq === 2 * 1388 + 84);
  const engine = await nats.connectAs('engine');
  t.equal((await readEdgeMessages(engine, subjects.edge(TRACK, device, 'passing'))).length, 84, 'each passing once in JetStream');
});

t.test('a decoder that restarted counts its passings from 1 again: later passings with low numbers are new', async (t) => {
  // The first PASSING of the capture, then the same with passing number 1 and a time 60 s later (CRC redone).
  const original = (await readP3Capture(AMB)).find((f) => f[8] === 1 && f[9] === 0)!;
  const restarted = Uint8Array.from(original);
  const view = new DataView(restarted.buffer);
  view.setUint32(12, 1, true); // field 0x01 (passing number) starts at byte 10: TOF, length, value
  view.setBigUint64(24, view.getBigUint64(24, true) + 60_000_000n, true); // field 0x04 (RTC_TIME) at byte 22
  view.setUint16(4, p3Crc(restarted), true);
  const replay = await createP3ReplayServer({ file: AMB, transform: (f, i) => (i === 0 ? Buffer.concat([original, original, escapeP3Frame(restarted)]) : new Uint8Array()) });
  t.teardown(() => replay.stop());
  const agent = createP3Agent({ nc: new Promise(() => undefined) }, { track: TRACK, device: 'p3-4', host: '127.0.0.1', port: replay.port, backoff: FAST_BACKOFF });
  t.teardown(() => agent.stop());
  await waitFor('three frames', () => agent.health().frames === 3);
  t.match(agent.health(), { passings: 2, duplicates: 1, errors: {} }, 'the repeat skipped, the restarted decoder’s passing 1 taken');
});
