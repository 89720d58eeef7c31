import type { EventDeclaration, SessionDeclaration } from '../../actors/contracts/declaration.ts';
import { createEdgePublisher, untilDelivered, type EdgeOutgoing, type EdgePublisher, type EdgePublisherDeps } from '../edge-publisher.ts';
import { playPaced, type PaceDeps, type Speed } from '../pace.ts';
import { sessionTimeline, type SimEvent } from './timeline.ts';

export interface SimulatorOptions {
  track: string;
  device: string;
  declaration: EventDeclaration;
  session: SessionDeclaration;
  cars: number;
  /** Session seconds per wall-clock second, or 'max' (all at once into the outbox, sent as fast as the stream acknowledges). */
  speed: Speed;
  seed: number;
}

/** `outbox`: in memory unless given (`pitwall edge sim` passes its disk outbox). */
export interface SimulatorDeps extends PaceDeps, EdgePublisherDeps {}

export interface SimulatorSummary {
  passings: number;
  ticks: number;
  messages: number;
}

export interface Simulator {
  /** Resolves when the session has ended and JetStream acknowledged all of it (or the simulator was stopped). */
  done: Promise<SimulatorSummary>;
  publisher: EdgePublisher;
  /** Stops producing and sending; unacknowledged readings stay in a disk outbox. */
  stop(): Promise<void>;
}

/**
 * Plays a simulated session to EDGE as an edge device would: passings on `edge.<track>.<device>.passing`, the
 * session's changes, flags and clock ticks on `edge.<track>.<device>.session`, each acknowledged by JetStream before
 * the next (so the stream holds them in order). The session clock starts at the wall clock and runs at `speed`.
 */
export function createSimulator(deps: SimulatorDeps, opts: SimulatorOptions): Simulator {
  const publisher = createEdgePublisher(deps, { track: opts.track, device: opts.device });
  const openAtUs = Math.round(deps.nowMs() * 1000);
  const summary: SimulatorSummary = { passings: 0, ticks: 0, messages: 0 };
  const timeline = sessionTimeline(opts.declaration, opts.session, { cars: opts.cars, seed: opts.seed, openAtUs });
  const paced = playPaced(deps, timeline, opts.speed, async (event) => {
    await publisher.publish(simEventToEdge(event, opts.declaration, opts.session.id));
    summary.messages++;
    if (event.type === 'passing') summary.passings++;
    if (event.type === 'clock.tick') summary.ticks++;
  });
  return untilDelivered(paced, publisher, summary);
}

/** A simulated event as the edge message a track would send. */
export function simEventToEdge(event: SimEvent, declaration: EventDeclaration, session: string): EdgeOutgoing {
  const { atUs } = event;
  switch (event.type) {
    case 'passing':
      return { kind: 'passing', body: { type: 'passing', atUs, precisionUs: 1000, source: 'sim', transponder: event.transponder } };
    case 'flag':
      return { kind: 'session', body: { type: 'flag', session, atUs, flag: event.flag } };
    case 'session.open':
      return { kind: 'session', body: { type: 'session.open', session, atUs, event: declaration.event } };
    default:
      return { kind: 'session', body: { type: event.type, session, atUs } };
  }
}
