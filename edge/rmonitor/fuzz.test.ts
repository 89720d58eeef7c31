import fs from 'node:fs';
import t from 'tap';
import { createRandom } from '../../actors/random.ts';
import { isDeepStrictEqual } from 'node:util';
import { encodeRecord, parseLine } from './codec.ts';
import { RmonitorParseError } from './errors.ts';
import { createLineFramer } from './line-framer.ts';
import { CAPTURES, capturePath } from './testing/captures.ts';

const SEED = 20250607;
const LINES = 120_000;
const ALPHABET = '$,"0123456789:.- ABCFGHIJLMOPRTXYZ\r\t\u00e9\u{1F3C1}';

// Real lines from every shared capture, as material to mutate.
const corpus = CAPTURES.flatMap((name) =>
  fs.readFileSync(capturePath(name), 'utf8').split('\n').map((l) => l.replace(/\r+$/, '')).filter((l) => l.startsWith('$')),
);

function mutate(rand: () => number, line: string): string {
  const pick = (s: string) => s[Math.floor(rand() * s.length)] ?? '';
  const at = () => Math.floor(rand() * (line.length + 1));
  const ops = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < ops; i++) {
    const p = at();
    switch (Math.floor(rand() * 7)) {
      case 0: line = line.slice(0, p); break; // truncate
      case 1: line = line.slice(0, p) + pick(ALPHABET) + line.slice(p); break; // insert
      case 2: line = line.slice(0, p) + line.slice(p + 1); break; // delete
      case 3: line = line.slice(0, p) + pick(ALPHABET) + line.slice(p + 1); break; // replace
      case 4: line = line.slice(0, p) + (corpus[Math.floor(rand() * corpus.length)] ?? ''); break; // merge with another line
      case 5: line = line.replaceAll('"', rand() < 0.5 ? '' : '""'); break; // break the quoting
      default: line = line.slice(0, p) + ',' + line.slice(p); break; // extra separator
    }
  }
  return line;
}

function randomLine(rand: () => number): string {
  const n = Math.floor(rand() * 60);
  let s = rand() < 0.7 ? '$' : '';
  for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(rand() * ALPHABET.length)];
  return s;
}

t.test(`fuzz: ${LINES} random and mutated lines (seed ${SEED}) never throw; records + errors = lines`, async (t) => {
  const rand = createRandom(SEED).next;
  let records = 0;
  let errors = 0;
  let roundTripMismatch = 0;
  const kinds: Record<string, number> = {};
  for (let i = 0; i < LINES; i++) {
    const r = rand();
    const line = r < 0.1 ? randomLine(rand) : r < 0.2 ? (corpus[Math.floor(rand() * corpus.length)] ?? '') : mutate(rand, corpus[Math.floor(rand() * corpus.length)] ?? '');
    let result;
    try {
      result = parseLine(line, i + 1);
    } catch (e) {
      t.fail(`parseLine threw on ${JSON.stringify(line)}: ${String(e)}`);
      continue;
    }
    if (result instanceof RmonitorParseError) {
      errors++;
      kinds[result.kind] = (kinds[result.kind] ?? 0) + 1;
      if (result.line !== i + 1) t.fail('error carries the wrong line number');
    } else {
      records++;
      if (!isDeepStrictEqual(parseLine(encodeRecord(result), 0), result)) {
        roundTripMismatch++;
        if (roundTripMismatch <= 5) t.comment(`round trip differs: ${JSON.stringify(line)} → ${JSON.stringify(encodeRecord(result))}`);
      }
    }
  }
  t.equal(records + errors, LINES, 'records + errors = lines');
  t.ok(records > 0 && errors > 0, 'both records and errors occurred');
  t.equal(roundTripMismatch, 0, 'every record parsed from a damaged line still survives encode → parse');
  t.comment(`records ${records}, errors ${errors} ${JSON.stringify(kinds)}, round-trip mismatches ${roundTripMismatch}`);
});

t.test('fuzz: the framer survives random chunking and random bytes, and the line count adds up', async (t) => {
  const rand = createRandom(SEED + 1).next;
  const text = corpus.slice(0, 20_000).join('\r\n') + '\r\n';
  const buf = Buffer.from(text, 'utf8');
  let lines = 0;
  const framer = createLineFramer({ onLine: () => void lines++, onTooLong: () => t.fail('no line is too long') }, { maxLength: 256 });
  for (let i = 0; i < buf.length; ) {
    const n = 1 + Math.floor(rand() * 300);
    framer.push(buf.subarray(i, i + n));
    i += n;
  }
  framer.end();
  t.equal(lines, 20_000);

  let seen = 0;
  const noisy = createLineFramer({ onLine: () => void seen++, onTooLong: () => void seen++ }, { maxLength: 64 });
  const bytes = Buffer.alloc(200_000);
  for (let i = 0; i < bytes.length; i++) bytes[i] = rand() < 0.01 ? 10 : Math.floor(rand() * 256);
  const newlines = bytes.filter((b) => b === 10).length;
  for (let i = 0; i < bytes.length; i += 777) noisy.push(bytes.subarray(i, i + 777));
  noisy.end();
  t.ok(seen >= newlines && seen <= newlines + 1, `every line reported once (${seen} for ${newlines} newlines)`);
});
