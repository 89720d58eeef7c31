import path from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { createEdgePublisher, type EdgeOutgoing, type EdgePublisher } from '../../../edge/edge-publisher.ts';
import { openDiskOutbox } from '../../../edge/outbox/disk-outbox.ts';
import { playPaced, type Paced } from '../../../edge/pace.ts';
import type { NatsCredentials } from '../../../engine/servers/nats-users.ts';
import { wallUs } from '../../fanout/clock.ts';
import { raceDeclaration, raceTimeline, SESSION_ID, type RaceSpec, type TimelineItem } from './races.ts';

/**
 * The track side of the live scenarios: one edge agent per race, as `pitwall edge` runs them (createEdgePublisher
 * with a disk outbox: every reading on disk, then JetStream with its reading id), each with its own NATS user,
 * playing its race's timeline in real time. A passing's `atUs` is the wall clock at the crossing, so passing → screen
 * latency is the receipt time minus it. IPC: `start` → `started` {races: [{track, session, startAtUs}]}; `stop` →
 * `stopped` {passings, acked}.
 */
export interface EdgeLoadStart {
  cmd: 'start';
  spec: RaceSpec;
  devices: { track: string; device: string; credentials: NatsCredentials }[];
  natsUrl: string;
  outboxDir: string;
  /** How long the races run, from now. */
  runMs: number;
  /** Every race opens now; the first starts this long after, so spectators can join before the start bursts. */
  startAfterMs: number;
  /** The other starts spread evenly over this long after the first (so they do not coincide). */
  staggerMs: number;
}

export interface StartedRace {
  track: string;
  session: string;
  /** The session's start on the wall clock (µs): race time 0. */
  startAtUs: number;
}

interface Agent {
  nc: NatsConnection;
  publisher: EdgePublisher;
  paced: Paced;
}

const agents: Agent[] = [];
let passings = 0;

function toEdge(item: TimelineItem, event: string): EdgeOutgoing {
  if (item.type === 'passing') return { kind: 'passing', body: { type: 'passing', atUs: item.atUs, precisionUs: 1000, source: 'sim', transponder: item.transponder } };
  if (item.type === 'session.open') return { kind: 'session', body: { type: 'session.open', session: SESSION_ID, atUs: item.atUs, event } };
  return { kind: 'session', body: { type: item.type, session: SESSION_ID, atUs: item.atUs } };
}

async function start(m: EdgeLoadStart): Promise<StartedRace[]> {
  const now = wallUs();
  const deps = { nowMs: () => Date.now(), sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) };
  const races: StartedRace[] = [];
  for (const [i, d] of m.devices.entries()) {
    const declaration = raceDeclaration(i, m.spec);
    const startAtUs = now + (m.startAfterMs + (i * m.staggerMs) / Math.max(1, m.devices.length)) * 1000;
    const nc = await connect({ servers: m.natsUrl, ...d.credentials, name: `bench ${d.device}` });
    const publisher = createEdgePublisher({ nc, outbox: openDiskOutbox(path.join(m.outboxDir, d.device)) }, { track: d.track, device: d.device });
    // playPaced plays the first item at once and the rest relative to it: the opening is stamped now, after this
    // agent's set-up, so that every later item goes out at its own time on the wall clock.
    const timeline = raceTimeline(i, m.spec, declaration, { openAtUs: wallUs(), startAtUs: Math.round(startAtUs), untilUs: now + m.runMs * 1000 });
    const paced = playPaced(deps, timeline, 1, async (item) => {
      if (item.type === 'passing') passings++;
      await publisher.publish(toEdge(item, declaration.event));
    });
    agents.push({ nc, publisher, paced });
    races.push({ track: d.track, session: SESSION_ID, startAtUs: Math.round(startAtUs) });
  }
  return races;
}

async function stop() {
  for (const a of agents) a.paced.stop();
  let acked = 0;
  for (const a of agents) {
    await Promise.race([a.publisher.drained(), new Promise((r) => setTimeout(r, 5000))]);
    acked += a.publisher.ackedSeq();
    await a.publisher.stop();
    await a.nc.close();
  }
  return { passings, acked };
}

process.on('message', (m: EdgeLoadStart | { cmd: 'stop' }) => {
  if (m.cmd === 'start') void start(m).then((races) => process.send?.({ type: 'started', races }), (e: Error) => process.send?.({ type: 'error', message: e.message }));
  if (m.cmd === 'stop') void stop().then((summary) => process.send?.({ type: 'stopped', ...summary }));
});
process.on('disconnect', () => process.exit(0));
