import { readFileSync } from 'node:fs';
import { decode } from '@msgpack/msgpack';
import t from 'tap';
import { decodeClientFrame, decodeServerFrame, encodeFrame, type ClientFrame, type ServerFrame } from '../gateway/protocol.ts';

// docs/protocol.md is the contract third-party clients are written from: its hex examples must decode, with the
// library's own decoder, to the JSON printed beside them, and fit the field table of their frame.

const doc = readFileSync(new URL('./protocol.md', import.meta.url), 'utf8');
const [reference = '', examples = ''] = doc.split('\n## Hex examples\n');
const CLIENT_FRAMES = ['subscribe', 'unsubscribe', 'resync', 'auth', 'command', 'position'];

interface Field { name: string; optional: boolean }

/**
 * Frame name → its fields, from the `### \`name\`` sections' tables (one row may name several fields). A server
 * frame sharing a client frame's type is `### \`name\` reply` (name `<name> reply`).
 */
function fieldTables(text: string): Map<string, Field[]> {
  const tables = new Map<string, Field[]>();
  for (const section of text.split('\n### ').slice(1)) {
    const heading = /^`(\w+)`( reply)?/.exec(section);
    if (!heading) continue; // "Applying a diff"
    const name = `${heading[1]}${heading[2] ?? ''}`;
    const rows = section.split('\n').filter((l) => l.startsWith('| `'));
    tables.set(name, rows.flatMap((row) => {
      const [names = '', type = '', note = ''] = row.split('|').slice(1).map((c) => c.trim());
      const optional = /optional|\?/.test(type) || /^optional/.test(note);
      return [...names.matchAll(/`(\w+)`/g)].map((m) => ({ name: m[1]!, optional }));
    }));
  }
  return tables;
}

/** Frame name → its JSON, declared byte count and hex bytes, from the hex examples. */
function hexExamples(text: string) {
  return text.split('\n### ').slice(1).map((section) => {
    const name = section.split('\n')[0]!.trim();
    const json = /^`(\{.*\})` \((\d+) bytes\)$/m.exec(section);
    const hex = /```\n([0-9a-f \n]+)```/.exec(section);
    if (!json || !hex) throw new Error(`hex example ${name}: needs a \`{json}\` (N bytes) line and a hex block`);
    const bytes = Uint8Array.from(hex[1]!.trim().split(/\s+/), (b) => parseInt(b, 16));
    return { name, value: JSON.parse(json[1]!) as Record<string, unknown>, length: Number(json[2]), bytes };
  });
}

const tables = fieldTables(reference);
const found = hexExamples(examples);

t.same(found.map((e) => e.name).sort(), [...tables.keys()].sort(), 'every frame with a field table has a hex example, and no other');
t.ok(tables.size >= 8, `${tables.size} frames documented`);

for (const example of found) {
  t.test(`hex example: ${example.name}`, async (t) => {
    const table = tables.get(example.name) ?? [];
    t.equal(example.bytes.length, example.length, 'the byte count printed beside it');
    t.same(encodeFrame(example.value as unknown as ServerFrame), example.bytes, 'encodeFrame of the JSON gives these bytes');

    t.same(decode(example.bytes), example.value, 'decodes to the JSON (MessagePack)');
    const decoded = CLIENT_FRAMES.includes(example.name) ? decodeClientFrame(example.bytes) : decodeServerFrame(example.bytes);
    t.ok(decoded.ok, `the library's decoder accepts it${decoded.ok ? '' : `: ${decoded.message}`}`);
    if (decoded.ok) t.same(decoded.frame as ClientFrame | ServerFrame, example.value, 'decodes to the JSON');

    const names = table.map((f) => f.name);
    t.equal(example.value.type, example.name.replace(/ reply$/, ''), 'its type is the frame name');
    t.same(Object.keys(example.value).filter((k) => !names.includes(k)), [], 'every field is in the field table');
    t.same(table.filter((f) => !f.optional && !(f.name in example.value)).map((f) => f.name), [], 'every required field is there');
  });
}
