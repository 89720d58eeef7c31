import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { Registry } from 'prom-client';
import type { Test } from 'tap';
import type { EventDeclaration } from '../../actors/contracts/declaration.ts';
import { readingMsgId, type EdgePassing, type EdgeSessionMessage } from '../../actors/contracts/events.ts';
import { subjects } from '../../actors/contracts/subjects.ts';
import { foldSession } from '../../actors/session-actor.ts';
import { putDeclaration } from '../../engine/declarations/store.ts';
import { startEngine, type Engine } from '../../engine/engine.ts';
import type { SessionHost } from '../../engine/session-host.ts';
import { startTestNats, type TestNats } from '../../engine/testing/nats.ts';
import { readRaceEvents } from '../../engine/testing/race-events.ts';
import { waitFor } from '../../engine/testing/wait.ts';

/** A private club event with one race, three cars in two classes: what the race-control tests command. */
export const RC_DECLARATION: EventDeclaration = {
  track: 'club-ring', event: 'members-day', name: 'Members day', org: 'club', private: true,
  classes: [{ id: 'gt', name: 'GT' }, { id: 'tc', name: 'Touring' }],
  sessions: [{ id: 'race-1', name: 'Race 1', type: 'race', finish: { laps: 30 } }],
  entries: [
    { number: '7', name: 'Ada Lovelace', class: 'gt', transponder: 't7' },
    { number: '12', name: 'Grace Hopper', class: 'gt', transponder: 't12' },
    { number: '33', name: 'Alan Turing', class: 'tc', transponder: 't33' },
  ],
};
export const RC_REF = { track: 'club-ring', event: 'members-day', session: 'race-1' } as const;

export interface RaceControlStack {
  nats: TestNats;
  engine: Engine;
  /** The engine's metrics. */
  registry: Registry;
  /** The session's host, once opened. */
  host: SessionHost;
  /** A passing of `car`'s transponder, `lapsAfterOpen` × 60 s after the opening. */
  passing(car: string, lapsAfterOpen: number): Promise<void>;
  /** Waits until the host folded everything in RACE and its published view equals the fold of RACE; returns both. */
  settled(): Promise<{ view: NonNullable<ReturnType<SessionHost['published']>['view']>; replayed: ReturnType<typeof foldSession> }>;
}

/**
 * A real NATS, the engine, RC_DECLARATION stored (private unless told otherwise), and race-1 opened by a timing device (as a decoder's session
 * agent would): the session is `open`, waiting for race control to start it.
 */
export async function startRaceControlStack(t: Test, opts: { private?: boolean; finishLaps?: number } = {}): Promise<RaceControlStack> {
  const log = (line: string) => t.comment(line);
  const nats = await startTestNats(t);
  await putDeclaration(await new Kvm(await nats.connectAs('admin')).open('events'), {
    ...RC_DECLARATION, private: opts.private ?? true,
    sessions: RC_DECLARATION.sessions.map((s) => ({ ...s, finish: { laps: opts.finishLaps ?? 30 } })),
  });
  const engineNc = await nats.connectAs('engine');
  const registry = new Registry();
  const engine = await startEngine({ nc: engineNc, registry, log }, { node: 'test' });
  t.teardown(() => engine.stop());

  const device = await nats.connectWith(await nats.server.addEdgeDevice(RC_REF.track, 'loop'));
  const js = jetstream(device);
  const boot = `b${Date.now()}`;
  let seq = 0;
  const openedAtUs = Date.now() * 1000;
  const open: EdgeSessionMessage = { type: 'session.open', device: 'loop', boot, seq: ++seq, session: RC_REF.session, atUs: openedAtUs, event: RC_REF.event };
  await js.publish(subjects.edge(RC_REF.track, 'loop', 'session'), JSON.stringify(open), { msgID: readingMsgId(open) });
  const host = await waitFor('the session host', () => engine.session(RC_REF.track, RC_REF.session));
  await waitFor('the opened session', () => host.published().view?.state === 'open');

  const transponder = new Map(RC_DECLARATION.entries.map((e) => [e.number, e.transponder!]));
  return {
    nats, engine, registry, host,
    async passing(car, lapsAfterOpen) {
      const p: EdgePassing = { type: 'passing', device: 'loop', boot, seq: ++seq, atUs: openedAtUs + lapsAfterOpen * 60_000_000,
        precisionUs: 1000, source: 'sim', transponder: transponder.get(car)! };
      await js.publish(subjects.edge(RC_REF.track, 'loop', 'passing'), JSON.stringify(p), { msgID: readingMsgId(p) });
    },
    async settled() {
      const race = await waitFor('RACE to be folded', async () => {
        const events = await readRaceEvents(engineNc, RC_REF.track, RC_REF.session);
        return host.appliedStreamSeq() >= events.lastSeq ? events : undefined;
      });
      const replayed = foldSession(race.inputs, RC_REF);
      const view = await waitFor('the published view to equal the replay', () => {
        const v = host.published().view;
        return v && JSON.stringify(v) === JSON.stringify(replayed) ? v : undefined;
      });
      return { view, replayed };
    },
  };
}
