import type { JetStreamClient } from '@nats-io/jetstream';
import type { EventDeclaration, SessionDeclaration } from '../../actors/contracts/declaration.ts';
import { readingMsgId, type EdgePassing, type EdgeSessionMessage, type ReadingId } from '../../actors/contracts/events.ts';
import { subjects } from '../../actors/contracts/subjects.ts';
import { createReadingStamp } from '../reading-stamp.ts';
import { sessionTimeline, type SimEvent } from './timeline.ts';

export interface SimulatorOptions {
  track: string;
  device: string;
  declaration: EventDeclaration;
  session: SessionDeclaration;
  cars: number;
  /** Session seconds per wall-clock second, or 'max' (as fast as the stream acknowledges). */
  speed: number | 'max';
  seed: number;
}

export interface SimulatorDeps {
  js: JetStreamClient;
  /** Wall clock in ms, and a sleep (passed in so tests can run it without waiting). */
  nowMs: () => number;
  sleep: (ms: number) => Promise<void>;
}

export interface SimulatorSummary {
  passings: number;
  ticks: number;
  messages: number;
}

export interface Simulator {
  /** Resolves when the session has ended (or the simulator was stopped). */
  done: Promise<SimulatorSummary>;
  stop(): void;
}

/**
 * Plays a simulated session to EDGE as an edge device would: passings on `edge.<track>.<device>.passing`, the
 * session's changes, flags and clock ticks on `edge.<track>.<device>.session`, each acknowledged by JetStream before
 * the next (so the stream holds them in order). The session clock starts at the wall clock and runs at `speed`.
 */
export function createSimulator(deps: SimulatorDeps, opts: SimulatorOptions): Simulator {
  let stopped = false;
  const stamp = createReadingStamp(opts.device);
  const wallStartMs = deps.nowMs();
  const openAtUs = Math.round(wallStartMs * 1000);

  const publish = async (event: SimEvent, reading: ReadingId) => {
    const passing = event.type === 'passing';
    const payload: EdgePassing | EdgeSessionMessage = passing
      ? { ...reading, type: 'passing', atUs: event.atUs, precisionUs: 1000, source: 'sim', transponder: event.transponder }
      : ({ ...reading, session: opts.session.id, atUs: event.atUs, ...sessionFields(event, opts) } as EdgeSessionMessage);
    const subject = subjects.edge(opts.track, opts.device, passing ? 'passing' : 'session');
    await deps.js.publish(subject, JSON.stringify(payload), { msgID: readingMsgId(reading) });
  };

  const done = (async () => {
    const summary: SimulatorSummary = { passings: 0, ticks: 0, messages: 0 };
    const timeline = sessionTimeline(opts.declaration, opts.session, { cars: opts.cars, seed: opts.seed, openAtUs });
    for (const event of timeline) {
      if (stopped) break;
      if (opts.speed !== 'max') {
        const dueMs = wallStartMs + (event.atUs - openAtUs) / 1000 / opts.speed;
        const waitMs = dueMs - deps.nowMs();
        if (waitMs > 0) await deps.sleep(waitMs);
        if (stopped) break;
      }
      await publish(event, stamp());
      summary.messages++;
      if (event.type === 'passing') summary.passings++;
      if (event.type === 'clock.tick') summary.ticks++;
    }
    return summary;
  })();
  return { done, stop: () => void (stopped = true) };
}

function sessionFields(event: Exclude<SimEvent, { type: 'passing' }>, opts: SimulatorOptions): object {
  if (event.type === 'flag') return { type: 'flag', flag: event.flag };
  if (event.type === 'session.open') return { type: 'session.open', event: opts.declaration.event };
  return { type: event.type };
}
