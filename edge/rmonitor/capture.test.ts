import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { isDeepStrictEqual } from 'node:util';
import { encodeRecord, parseLine } from './codec.ts';
import { readCapture, type CaptureEntry } from './capture.ts';
import { CAPTURES, capturePath } from './testing/captures.ts';

const readAll = async (file: string) => {
  const entries: CaptureEntry[] = [];
  for await (const e of readCapture(file)) entries.push(e);
  return entries;
};

const tally = (entries: CaptureEntry[]) => {
  const c: Record<string, number> = {};
  for (const e of entries) {
    const k = e.error ? `error:${e.error.kind}` : e.record!.type;
    c[k] = (c[k] ?? 0) + 1;
  }
  return c;
};

/** Every shared capture, as read: records per type and errors per kind (measured once, pinned here). */
const EXPECTED: Record<string, Record<string, number>> = {
  'bradfier/2009_Sebring_ALMS_Session_4.txt': { F: 7683, L: 529, A: 1518, COMP: 1518, J: 374, G: 1974, H: 1953, C: 429, B: 144, E: 286, I: 3 },
  'bradfier/2009_Sebring_ALMS_Session_4_Lites.txt': { F: 7109, B: 225, A: 3341, COMP: 3341, C: 447, E: 446, H: 3802, G: 3875, L: 456, J: 325, I: 3 },
  'bradfier/2009_Sebring_ALMS_Session_5.txt': { F: 8404, B: 266, A: 3450, COMP: 3450, C: 1060, E: 530, H: 5397, G: 4106, L: 684, J: 508 },
  'bradfier/Orbits_Mock_Session.txt': { H: 67, G: 68, B: 3, A: 6, COMP: 6, C: 1, E: 2, F: 379, J: 52 },
  'redmist/TestAbnormalReset.txt': { I: 2, A: 52, COMP: 52, B: 1, C: 4, G: 187, H: 76, J: 25, F: 46 },
  'redmist/TestEntries.txt': { F: 1, B: 2, E: 4, C: 4, A: 48, COMP: 48 },
  'redmist/TestFlagtronicsPurple.txt': { unknown: 125, F: 428, J: 1, G: 1, H: 1 },
  'redmist/TestGap.txt': { I: 2, A: 228, COMP: 228, B: 3, C: 15, G: 503, H: 413, E: 2, F: 557, J: 185, 'error:bad-capture-header': 1 },
  'redmist/TestInitialPositions.txt': { G: 96, H: 96, F: 3 },
  'redmist/TestMidRaceClassChange.txt': { C: 3, A: 2, COMP: 2, B: 1, G: 2, H: 1 },
  'redmist/TestResetRetainLapTime.txt': { I: 2, A: 104, COMP: 104, B: 2, C: 8, G: 293, H: 305, J: 43, F: 90 },
  'redmist/TestSessionChanges.txt': { I: 44, F: 32166, B: 30, E: 56, C: 54, A: 328, COMP: 328, J: 2453, G: 4800, H: 6052 },
  'redmist/TestStart.txt': { F: 595, J: 174, G: 817, H: 1193, I: 4, A: 208, COMP: 208, B: 4, C: 16 },
};

t.test('every shared capture: counts per type, and the round trip gives the same records', async (t) => {
  for (const name of CAPTURES) {
    const entries = await readAll(capturePath(name));
    t.same(tally(entries), EXPECTED[name], name);
    let same = 0;
    let exact = 0;
    for (const e of entries) {
      if (!e.record) continue;
      const line = encodeRecord(e.record);
      if (line === e.raw) exact++;
      if (e.record.type === 'unknown' || isDeepStrictEqual(parseLine(line, e.line), e.record)) same++;
    }
    const records = entries.filter((e) => e.record).length;
    t.equal(same, records, `${name}: all ${records} records survive encode → parse`);
    t.comment(`${name}: ${records} records, ${entries.length - records} errors, ${exact} byte-identical lines`);
  }
});

t.test('receive timestamps, channels, truncated last lines', async (t) => {
  const gap = await readAll(capturePath('redmist/TestGap.txt'));
  t.match(gap[0], { line: 2, receivedAtUs: Date.UTC(2025, 11, 7, 16, 27, 25, 194) * 1000, raw: '$I, "00:00:00", "0/0/0000"', record: { type: 'I' } });
  // The file ends in the middle of a header: "##2025-1"
  const last = gap.at(-1)!;
  t.match(last, { line: 4091, raw: '##2025-1', error: { kind: 'bad-capture-header', line: 4091 } });
  t.ok(gap.filter((e) => e.record).every((e) => e.receivedAtUs !== undefined), 'every record has its receive time');

  // TestEntries.txt ends without line ending in the middle of nothing: its last record is complete and kept
  const entries = await readAll(capturePath('redmist/TestEntries.txt'));
  t.match(entries.at(-1), { line: 134, record: { type: 'COMP', regNo: '66', additional: '' } });

  // A mixed log: ftcar JSON lines are passed through, not parsed as RMonitor
  const mixed = await readAll(capturePath('redmist/TestFlagtronicsPurple.txt'));
  t.match(mixed.find((e) => e.channel === 'ftcar'), { record: { type: 'unknown', code: 'ftcar' } });
  t.match(mixed.find((e) => e.channel === 'rmonitor'), { record: { type: 'F' } });

  // Captures without headers have no receive time
  const sebring = await readAll(capturePath('bradfier/Orbits_Mock_Session.txt'));
  t.equal(sebring[0]!.receivedAtUs, undefined);
  t.equal(sebring[0]!.line, 1);
});

t.test('damaged capture: BOM, CR CR LF, merged lines, glued header, over-long and broken lines; the stream goes on', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pitwall-rmon-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'damaged.txt');
  const lines = [
    '\uFEFF##2025-04-26 14:44:13.478',
    '$I, "00:00:00", "0/0/0000"\r',
    '$A,"70","70",58488,"Round 3 Racing","","",1\r\r',
    '$G,1,"70",,"00:00:00.000"$H,1,"70",0,"00:00:00.000"\r',
    '$F,9999,"04:23:19","10:3##2025-04-26 14:44:14.000',
    '$J,"70","00:02:03.826","00:02:03.826"',
    '$' + 'X'.repeat(100),
    'garbage',
    '',
    '##2025-04-26 14:44:15.000|rmonitor',
    '$J,"70","00:02:01.000","00:04:04.826"',
  ];
  fs.writeFileSync(file, lines.join('\n'));
  const got: CaptureEntry[] = [];
  for await (const e of readCapture(file, { maxLineLength: 80 })) got.push(e);
  t.same(
    got.map((e) => [e.line, e.error ? `error:${e.error.kind}` : e.record!.type]),
    [[2, 'I'], [3, 'A'], [4, 'G'], [4, 'H'], [5, 'error:unterminated-quote'], [6, 'J'], [7, 'error:too-long'], [8, 'error:not-a-record'], [11, 'J']],
  );
  t.equal(got[5]!.receivedAtUs, Date.UTC(2025, 3, 26, 14, 44, 14) * 1000, 'the glued header applies to the next line');
  t.equal(got[8]!.channel, 'rmonitor');
});
