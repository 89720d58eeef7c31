import { fileURLToPath } from 'node:url';
import { Kvm } from '@nats-io/kv';
import { Registry } from 'prom-client';
import t from 'tap';
import type { EventDeclaration } from '../../actors/contracts/declaration.ts';
import { readDeclarationFile } from '../../engine/declarations/read.ts';
import { putDeclaration } from '../../engine/declarations/store.ts';
import { DEMO_EVENT_FILE } from '../../engine/demo.ts';
import { startEngine } from '../../engine/engine.ts';
import { startTestNats } from '../../engine/testing/nats.ts';
import { waitFor } from '../../engine/testing/wait.ts';
import { createEdgePublisher } from '../edge-publisher.ts';
import { createP3Agent } from './agent.ts';
import { readP3Capture } from './capture.ts';
import { createP3Framer } from './framer.ts';
import { decodeP3Frame } from './records.ts';
import { createP3ReplayServer } from './replay-server.ts';

const AMB = fileURLToPath(new URL('./fixtures/amb.out', import.meta.url));
const SECOND = 1_000_000;

/** The capture's PASSINGs, decoded here without the agent: transponder → RTC times. */
async function capturePassings(): Promise<Map<string, number[]>> {
  const byTransponder = new Map<string, number[]>();
  const framer = createP3Framer({
    onFrame(frame) {
      const r = decodeP3Frame(frame);
      if (!(r instanceof Error) && r.type === 'passing') byTransponder.set(r.transponder, [...(byTransponder.get(r.transponder) ?? []), r.rtcTimeUs]);
    },
    onError: () => undefined,
  });
  for (const f of await readP3Capture(AMB)) framer.push(f);
  return byTransponder;
}

t.test('a P3 capture through the agent, NATS and the engine: the karts lap on the session view', async (t) => {
  const nats = await startTestNats(t);
  const demo = readDeclarationFile(DEMO_EVENT_FILE);
  const karts = await capturePassings();
  const declaration: EventDeclaration = {
    ...demo,
    sessions: [{ id: 'practice', name: 'Practice', type: 'race', finish: { timeMs: 2 * 3600 * 1000 } }],
    entries: [...karts.keys()].map((transponder, i) => ({ number: String(11 + i), name: `Kart ${transponder}`, class: demo.classes[0]!.id, transponder })),
  };
  const { track } = declaration;
  await putDeclaration(await new Kvm(await nats.connectAs('admin')).open('events'), declaration);
  const registry = new Registry();
  const engine = await startEngine({ nc: await nats.connectAs('engine'), registry, log: (line: string) => t.comment(line) }, { node: 'test' });
  t.teardown(() => engine.stop());

  // Race control opens and starts the session a minute before the capture's first passing (the decoder's clock).
  const t0 = Math.min(...[...karts.values()].map((times) => times[0]!)) - 60 * SECOND;
  const control = createEdgePublisher({ nc: await nats.connectWith(await nats.server.addEdgeDevice(track, 'control')) }, { track, device: 'control' });
  t.teardown(() => control.stop());
  await control.publish({ kind: 'session', body: { type: 'session.open', session: 'practice', event: declaration.event, atUs: t0 } });
  await control.publish({ kind: 'session', body: { type: 'session.start', session: 'practice', atUs: t0 } });
  const host = await waitFor('the session actor', () => engine.session(track, 'practice'));

  const replay = await createP3ReplayServer({ file: AMB });
  t.teardown(() => replay.stop());
  const device = 'p3-line';
  const agent = createP3Agent({ nc: await nats.connectWith(await nats.server.addEdgeDevice(track, device)) }, { track, device, host: '127.0.0.1', port: replay.port });
  t.teardown(() => agent.stop());

  // Each crossing completes a lap (the first one timed from the start), except the 2.767 s double read, which the
  // scoring rules discard (minimum lap 15 s, SCORING-NOTES rule 8).
  const expected = declaration.entries.map((e) => {
    const times = karts.get(e.transponder!)!;
    const laps = times.filter((at, i) => i === 0 || at - times[i - 1]! >= 15 * SECOND);
    return { number: e.number, laps: laps.length, lastLapUs: laps.at(-1)! - laps.at(-2)! };
  });
  t.same(expected.map((e) => e.laps).sort(), [26, 27, 30], '84 crossings, one a double read');
  const rows = await waitFor('every lap on the view', () => {
    const view = host.published().view;
    const got = expected.map((e) => view?.rows.find((r) => r.number === e.number && r.laps === e.laps));
    return got.every(Boolean) ? got : undefined;
  }, 120_000);
  t.same(rows.map((r) => r!.lastLapUs), expected.map((e) => e.lastLapUs), 'last laps as the decoder timed them');
  await waitFor('every raw frame in EDGE', () => agent.health().ackedSeq === 1388 + 84);
  const inputErrors = (await registry.getSingleMetricAsString('pitwall_input_errors_total')).split('\n').filter((l) => /^pitwall_input_errors_total\{.*\} [1-9]/.test(l));
  t.same(inputErrors, [], 'no input error: the raw frames beside the passings are not taken for bad passings');
});
