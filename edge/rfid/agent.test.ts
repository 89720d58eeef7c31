import { readFile } from 'node:fs/promises';
import net from 'node:net';
import t from 'tap';
import type { EdgePassing } from '../../actors/contracts/events.ts';
import type { EdgeRawMessage } from '../../actors/contracts/raw.ts';
import { subjects } from '../../actors/contracts/subjects.ts';
import { readEdgeMessages } from '../../engine/testing/edge-stream.ts';
import { startTestNats } from '../../engine/testing/nats.ts';
import { waitFor } from '../rmonitor/testing/stream.ts';
import { createRfidAgent } from './agent.ts';
import { readRfidLog } from './read-file.ts';
import { dayStartFromLogName } from './read-log.ts';
import { RFID_LOGS } from './report.ts';

const TRACK = 'crit';
const LOG = RFID_LOGS[0]!;
const DAY = dayStartFromLogName(LOG)!;

t.test('a read log through the agent → JetStream: every read as raw, one passing per cluster, by chip', async (t) => {
  const nats = await startTestNats(t);
  const device = 'mat-1';
  const nc = await nats.connectWith(await nats.server.addEdgeDevice(TRACK, device));
  const lines: string[] = [];
  const agent = createRfidAgent({ nc, log: (l) => lines.push(l) }, { track: TRACK, device, dayStartUs: DAY });
  t.teardown(() => agent.stop());
  const text = (await readFile(LOG, 'utf8')).split('\n');
  text.splice(50, 0, '10.16.21.147,NOT-HEX,123132.5,0,-50'); // one bad line in the middle
  text.forEach((l, i) => agent.line(l, i + 1));
  agent.flush();
  await agent.drained();

  const expected = await readRfidLog(LOG);
  const engine = await nats.connectAs('engine');
  const passings = (await readEdgeMessages(engine, subjects.edge(TRACK, device, 'passing'))).map((m) => m.data as EdgePassing);
  const raws = (await readEdgeMessages(engine, subjects.edge(TRACK, device, 'raw'))).map((m) => m.data as EdgeRawMessage);
  t.equal(raws.length, expected.reads.length, `${raws.length} reads kept as raw`);
  t.same(passings.map((p) => [p.chip, p.atUs, p.precisionUs]), expected.passings.map((p) => [p.chip, p.atUs, p.precisionUs]), `${passings.length} passings, as clustered`);
  t.ok(passings.every((p) => p.source === 'rfid' && p.transponder === undefined), 'by chip, source rfid');
  t.match(agent.health(), { reads: expected.reads.length, passings: 28, badLines: 1, estimatesSkipped: 27 });
  t.same(lines, ['rfid: line 51: EPC "NOT-HEX" is not hex, skipped']);
});

t.test("a reader's TCP line stream: the quiet timer closes the last clusters", async (t) => {
  const nats = await startTestNats(t);
  const device = 'mat-2';
  const nc = await nats.connectWith(await nats.server.addEdgeDevice(TRACK, device));
  const content = await readFile(LOG);
  const server = net.createServer((s) => {
    s.on('error', () => undefined);
    s.write(content); // and stays open, like a reader between passings
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => { server.close(() => resolve()); server.unref(); }));
  const agent = createRfidAgent({ nc }, { track: TRACK, device, dayStartUs: DAY, gapMs: 500 });
  t.teardown(() => agent.stop());
  agent.connect('127.0.0.1', (server.address() as net.AddressInfo).port, { initialMs: 20, maxMs: 200 });
  const expected = await readRfidLog(LOG, { gapMs: 500 });
  await waitFor('every passing, the last ones closed by the quiet timer', () => agent.health().passings === expected.passings.length);
  t.match(agent.health(), { connected: true, reads: expected.reads.length, badLines: 0 });
  await agent.drained();
  const engine = await nats.connectAs('engine');
  const passings = (await readEdgeMessages(engine, subjects.edge(TRACK, device, 'passing'))).map((m) => m.data as EdgePassing);
  t.same(passings.map((p) => p.atUs).sort(), expected.passings.map((p) => p.atUs).sort(), 'the same passings as from the file');
});
