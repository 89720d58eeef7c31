import { Kvm } from '@nats-io/kv';
import { Registry } from 'prom-client';
import t from 'tap';
import WebSocket from 'ws';
import type { EdgeSessionMessage } from '../../actors/contracts/events.ts';
import { subjects } from '../../actors/contracts/subjects.ts';
import { validateDeclaration } from '../../engine/declarations/validate.ts';
import { putDeclaration } from '../../engine/declarations/store.ts';
import { startEngine } from '../../engine/engine.ts';
import { readEdgeMessages } from '../../engine/testing/edge-stream.ts';
import { startTestNats } from '../../engine/testing/nats.ts';
import { waitFor } from '../../engine/testing/wait.ts';
import { createTimingClient, type WebSocketConstructor } from '../../gateway/client/index.ts';
import { createGateway } from '../../gateway/server.ts';
import { createEdgeClock } from '../edge-clock.ts';
import { createGpioAgent } from './agent.ts';
import { createFakePins } from './testing/fake-pins.ts';
import { fourLaneConfig, LANE_LINES } from './testing/gpio-config.ts';

const track = 'slot-club';
const BUTTON = 4;
const LAMPS = { red1: 5, red2: 6, red3: 13, green: 19 };
const FLAG_GREEN = 20;

const declaration = validateDeclaration({
  track,
  event: 'club-night',
  name: 'Club night',
  classes: [{ id: 'open', name: 'Open' }],
  sessions: [{ id: 'final', name: 'Final', type: 'race', finish: { laps: 5 }, minLapMs: 2000 }],
  entries: [1, 2, 3, 4].map((lane) => ({ number: String(lane * 11), name: `Lane ${lane}`, class: 'open', lane })),
});

t.test('a four-lane slot-car race through the GPIO agent: start lights, jump start, lap counts on the live board', async (t) => {
  const nats = await startTestNats(t);
  const admin = await nats.connectAs('admin');
  await putDeclaration(await new Kvm(admin).open('events'), declaration);
  const registry = new Registry();
  const log = (line: string) => t.comment(line);
  const engine = await startEngine({ nc: await nats.connectAs('engine'), registry, log }, { node: 'test' });
  t.teardown(() => engine.stop());
  const gateway = await createGateway({ nc: await nats.connectAs('gateway'), registry: new Registry(), log }, { host: '127.0.0.1', port: 0 });
  t.teardown(() => gateway.stop());

  // The agent's clock is driven by the test, so laps take slot-car seconds while the test runs at full speed.
  let monoNs = 5_000_000_000n;
  const clock = createEdgeClock({ monotonicNs: () => monoNs, wallMs: () => 1_760_000_000_000 });
  const at = (seconds: number) => (monoNs = 5_000_000_000n + BigInt(Math.round(seconds * 1e6)) * 1000n);
  const pins = createFakePins();
  const cfg = fourLaneConfig(track, {
    event: 'club-night',
    session: 'final',
    tickMs: 0,
    startLights: {
      button: BUTTON,
      lamps: LAMPS,
      steps: [{ on: ['red1'], ms: 20 }, { on: ['red1', 'red2'], ms: 20 }, { on: ['red1', 'red2', 'red3'], ms: 20 }],
      holdMs: { min: 10, max: 60 },
      green: ['green'],
      greenMs: 50,
    },
    flagLamps: { green: [FLAG_GREEN] },
  });
  const device = await nats.connectWith(await nats.server.addEdgeDevice(track, 'gpio-1'));
  const agent = createGpioAgent({ nc: device, pins, clock, log }, cfg);
  t.teardown(() => agent.stop());
  const lights = agent.startLights!;
  const cross = (lane: number) => {
    pins.set(LANE_LINES[lane - 1]!, 1);
    pins.set(LANE_LINES[lane - 1]!, 0);
  };

  // The start: the button opens the session and runs the lights; lane 3 jumps the start during the sequence.
  at(0);
  pins.set(BUTTON, 1);
  t.equal(lights.phase(), 'sequence', 'the button starts the sequence');
  at(1);
  cross(3);
  at(2);
  await waitFor('the green light', () => pins.writes(LAMPS.green).includes(1)); // by history: the green lasts only 50 ms
  await waitFor('the lamps off after the green', () => lights.phase() === 'idle');
  const frames = pins.writes(LAMPS.red1).map((_, i) => Object.entries(LAMPS).filter(([, line]) => pins.writes(line)[i] === 1).map(([name]) => name));
  t.same(frames, [[], ['red1'], ['red1', 'red2'], ['red1', 'red2', 'red3'], ['green'], []], 'the configured start-light sequence, then green, then dark');

  // The race (seconds after the green): lane 1 every 4 s takes the checkered at its 5th lap; lane 4 finishes
  // behind it on its 5th crossing; lane 2 stops after 4 laps, lane 3 after 3.
  const crossings: [number, number][] = [
    ...[4, 8, 12, 16, 20].map((s) => [s, 1] as [number, number]),
    ...[4.5, 9, 13.5, 18].map((s) => [s, 2] as [number, number]),
    ...[5, 10, 15].map((s) => [s, 3] as [number, number]),
    ...[4.2, 8.4, 12.6, 16.8, 21].map((s) => [s, 4] as [number, number]),
  ].sort((a, b) => a[0] - b[0]);
  for (const [s, lane] of crossings) {
    at(2 + s);
    cross(lane);
  }

  const client = createTimingClient({ url: `ws://127.0.0.1:${gateway.port}/ws`, WebSocket: WebSocket as unknown as WebSocketConstructor });
  t.teardown(() => client.close());
  client.subscribe(track, 'final');
  const board = await waitFor('the live board to show every lap', () => {
    const view = client.view(track, 'final');
    return view && view.rows.reduce((n, r) => n + r.laps, 0) === 5 + 5 + 4 + 3 ? view : undefined;
  });
  t.same(board.rows.map((r) => [r.number, r.laps]), [['11', 5], ['44', 5], ['22', 4], ['33', 3]], 'lap counts and order on the spectator board');
  t.equal(board.rows[0]!.lastLapUs, 4_000_000, "lane 1's lap times as stamped by the agent's clock");
  t.equal(board.state, 'finishing', 'the leader took the checkered flag; others still running');

  // The jump start: published by the agent; the engine counts it, logs it and writes it into the control log.
  const sessionMessages = (await readEdgeMessages(admin, subjects.edge(track, 'gpio-1', 'session'))).map((m) => m.data as EdgeSessionMessage);
  t.same(sessionMessages.map((m) => m.type), ['session.open', 'jump-start', 'session.start'], 'open at the button, the jump start, start at the green');
  t.match(sessionMessages[1], { type: 'jump-start', session: 'final', lane: 3 });
  t.equal(sessionMessages[2]!.atUs - sessionMessages[0]!.atUs, 2_000_000, 'the session starts at the stamped green');
  await waitFor('the engine to count the jump start', async () => (await registry.getSingleMetric('pitwall_jump_starts_total')?.get())?.values.find((v) => v.labels.track === track)?.value === 1);
  const logged = board.controlLog?.find((e) => e.by === 'edge:gpio-1');
  t.match(logged, { verb: 'note', text: 'Jump start: lane 3 (#33) crossed before the green' }, "in the control log on officials' and spectators' boards");
  t.same(agent.counts(), { passings: 1 + crossings.length, jumpStarts: 1, errors: {}, bounces: 0 }, 'the jumping passing is published too (it counts no lap: before the start)');

  // The flag lamps followed the session: green at the start.
  await waitFor('the green flag lamp', () => pins.level(FLAG_GREEN) === 1);
});
