import { fileURLToPath } from 'node:url';
import t from 'tap';
import type { P3Record } from '../../actors/contracts/raw.ts';
import { readP3Capture } from './capture.ts';
import { p3Crc } from './crc.ts';
import { createP3Framer, escapeP3Frame } from './framer.ts';
import { decodeP3Frame, P3FrameError } from './records.ts';

const AMB = fileURLToPath(new URL('./fixtures/amb.out', import.meta.url));

/** Frames the bytes in chunks of `chunk` (frames split anywhere), decodes each. */
function run(bytes: Uint8Array, chunk: number) {
  const records: P3Record[] = [];
  const errors: { kind: string; message: string }[] = [];
  const framer = createP3Framer({
    onFrame(frame) {
      const r = decodeP3Frame(frame);
      if (r instanceof P3FrameError) errors.push({ kind: r.kind, message: r.message });
      else records.push(r);
    },
    onError: (kind, message) => errors.push({ kind, message }),
  });
  for (let i = 0; i < bytes.length; i += chunk) framer.push(bytes.subarray(i, i + chunk));
  framer.end();
  return { records, errors };
}

t.test('the real capture: every frame frames, checks and decodes', async (t) => {
  const frames = await readP3Capture(AMB);
  t.equal(frames.length, 1388);
  for (const chunk of [1, 7, 4096]) {
    const { records, errors } = run(Buffer.concat(frames), chunk);
    t.same(errors, [], `no error, chunks of ${chunk} bytes`);
    t.equal(records.length, 1388);
    t.equal(records.filter((r) => r.type === 'passing').length, 84, '84 PASSING');
    t.equal(records.filter((r) => r.type === 'status').length, 1304, '1304 STATUS');
  }
  const { records } = run(Buffer.concat(frames), 4096);
  const passings = records.filter((r) => r.type === 'passing');
  t.same([...new Set(passings.map((p) => p.transponder))].sort(), ['3292480', '3438895', '5691251'], '3 transponders');
  // First PASSING of the file, decoded by hand from its hex: 8e0233…01045168020003 0473d75600 04 08 88f2fab51e830500 …
  t.match(passings[0], { passingNumber: 0x026851, transponder: String(0x56d773), rtcTimeUs: 0x0005831eb5faf288, strength: 0xb2, hits: 0x34, flags: 0, decoderId: '13180400' });
  t.equal(new Date(passings[0]!.rtcTimeUs / 1000).toISOString().slice(0, 10), '2019-03-02', 'the decoder clock says 2 March 2019');
  t.ok(passings.every((p, i) => i === 0 || p.passingNumber === passings[i - 1]!.passingNumber + 1), 'passing numbers count up by one: none lost');
  t.match(records.find((r) => r.type === 'status'), { noise: 0x27, temperature: 0x76, decoderId: '13180400' });
});

t.test('the short capture (another stretch of the same decoder) checks and decodes too', async (t) => {
  const frames = await readP3Capture(fileURLToPath(new URL('./fixtures/amb-short.out', import.meta.url)));
  const { records, errors } = run(Buffer.concat(frames), 4096);
  t.same(errors, []);
  t.equal(records.length, 371);
  t.ok(records.every((r) => r.type !== 'other'), 'only PASSING and STATUS');
});

t.test('escaping: five frames of the capture carry 0x8D, and unescape/escape round-trips every frame', async (t) => {
  const frames = await readP3Capture(AMB);
  let escapedFrames = 0;
  for (const wire of frames) {
    const { frame } = firstFrame(wire);
    if (frame.length !== wire.length) escapedFrames++;
    if (Buffer.compare(escapeP3Frame(frame), wire) !== 0) t.fail(`round trip of ${Buffer.from(wire).toString('hex')}`);
  }
  t.equal(escapedFrames, 5);
  // 8e0233008dae40…: the CRC's first byte 0x8e is sent as 8d ae.
  const { frame } = firstFrame(frames.find((f) => Buffer.from(f).toString('hex').startsWith('8e0233008dae'))!);
  t.equal(new DataView(frame.buffer).getUint16(4, true), 0x408e);
  t.equal(p3Crc(frame), 0x408e);
});

t.test('a mutated copy: CRC errors counted and skipped, every other frame still decoded', async (t) => {
  const frames = await readP3Capture(AMB);
  const mutated = frames.map((f, i) => {
    if (i % 100 !== 50) return f;
    const copy = Uint8Array.from(f);
    copy[12] = copy[12]! ^ 0x01; // one bit of the first field's value
    return copy;
  });
  const { records, errors } = run(Buffer.concat(mutated), 64);
  t.equal(errors.length, 14, 'frames 50, 150, … 1350');
  t.ok(errors.every((e) => e.kind === 'crc' && /^crc: CRC 0x[0-9a-f]{4} in the frame, 0x[0-9a-f]{4} computed$/.test(e.message)), 'each a precise CRC error');
  t.equal(records.length, 1388 - 14);
});

t.test('broken framing: junk between frames, a cut frame, a bad escape, a wrong length are reported and skipped', async (t) => {
  const [a, b, c, d] = (await readP3Capture(AMB)).slice(0, 4);
  const wrongLength = Uint8Array.from(d!);
  wrongLength[2] = 0x20;
  const stream = Buffer.concat([Buffer.from('hello'), a!, b!.subarray(0, 9), c!, Buffer.from([0x8e, 0x02, 0x8d, 0x8f]), wrongLength, a!]);
  const { records, errors } = run(stream, 3);
  t.equal(records.length, 3, 'a, c and the last a');
  t.same(errors.map((e) => e.kind), ['framing', 'framing', 'bad-escape', 'length']);
  t.match(errors[0]!.message, '5 byte(s) outside a frame');
  t.match(errors[1]!.message, 'frame cut after 9 byte(s)');
  t.match(errors[3]!.message, 'length field says 32 bytes, the frame has 31');
});

function firstFrame(wire: Uint8Array): { frame: Uint8Array } {
  let frame: Uint8Array | undefined;
  const framer = createP3Framer({ onFrame: (f) => (frame = f), onError: (k, m) => { throw new Error(`${k}: ${m}`); } });
  framer.push(wire);
  if (!frame) throw new Error('no frame');
  return { frame };
}
