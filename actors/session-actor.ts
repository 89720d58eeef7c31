import { type AnyActorRef, createActor, type Snapshot } from 'xstate';
import type { LapEvent, SessionInput } from './contracts/events.ts';
import type { Flag, SessionState } from './contracts/flags.ts';
import type { SessionView } from './contracts/view.ts';
import { type FlagContext, flagMachine, type FlagMachineEvent } from './machines/flag-machine.ts';
import { sessionMachine, type SessionMachineEvent } from './machines/session-machine.ts';
import { reduce } from './scoring/reduce.ts';
import { markSeen } from './scoring/seen-readings.ts';
import { rejected as rejectedInput } from './scoring/step.ts';
import { initialScoring, type Rejected, type ScoringOptions, type ScoringState, type SessionRef } from './scoring/state.ts';
import { toView } from './scoring/to-view.ts';
import { isSessionInput } from './session-actor-input.ts';

export type { SessionRef } from './scoring/state.ts';

/**
 * The session actor (DESIGN §5): one per live session. It composes the session machine and the flag machine (which
 * moves are legal) with the scoring reducer (what the moves and passings mean for the standings). The only I/O is
 * through `deps`. Deterministic: the same inputs give the same view, live, replayed, or restored from `persist()`.
 *
 * `send(input)`, in order:
 * 1. a malformed input is counted (`malformed`); inputs before the session's declaration are counted
 *    (`beforeDeclaration`) — the declaration says the entries and rules, so it must come first; an edge reading
 *    already applied (its `reading` id seen) is counted as a `duplicate` and changes nothing (passings are checked
 *    by the reducer, scoring/passing.ts);
 * 2. session verbs go to the session machine (and start/finish on to the flag machine), flags to the flag machine
 *    (a checkered also moves the session to finishing; green while finishing resumes both); a move a machine refuses — a second start, green before the
 *    start — is counted (`refused`) and goes no further. Nothing is ever thrown for bad input;
 * 3. accepted inputs and all passings and ticks are folded by the reducer; when scoring itself shows the checkered
 *    (leader completed the distance or crossed after the time), both machines are told;
 * 4. `deps.publishLap` is called once for each lap completed by this input, after the state is updated.
 * The view's `state` and `flag` come from the machines.
 */
export interface SessionActorDeps {
  publishLap(lap: LapEvent): void;
  /** The scoring reducer; the real one unless a test injects a fault (a correct reducer never throws). */
  reduce?: typeof reduce;
}

/** Inputs the actor turned away before scoring, by reason (the reducer's own are in `Rejected`). */
export interface ActorRejections {
  malformed: number;
  beforeDeclaration: number;
  refused: number;
}

export type SessionRejections = ActorRejections & Rejected;

/** All an actor needs to continue exactly where it stopped. JSON data (written to KV `session-state`). */
export interface PersistedSession {
  version: 1;
  ref: SessionRef;
  session: Snapshot<unknown>;
  flag: Snapshot<unknown>;
  scoring: ScoringState;
  rejected: ActorRejections;
}

export interface SessionActor {
  send(input: SessionInput): void;
  /**
   * Why the machines would refuse `input` now, in words for an official; undefined when they would take it. Changes
   * nothing (race control asks before it writes a command's event).
   */
  refusal(input: SessionInput): string | undefined;
  /** The scoring state (read only): the declaration's entries and classes, the cars, the session clock. */
  scoring(): ScoringState;
  view(): SessionView;
  persist(): PersistedSession;
  /** Counters for the host's metrics. */
  rejected(): SessionRejections;
  /** Stops the machines; later inputs are ignored. */
  stop(): void;
}

export interface SessionActorOptions extends ScoringOptions {}

export function createSessionActor(
  ref: SessionRef,
  deps: SessionActorDeps,
  from?: PersistedSession,
  options: SessionActorOptions = {},
): SessionActor {
  if (from && (from.version !== 1 || from.ref.track !== ref.track || from.ref.event !== ref.event || from.ref.session !== ref.session)) {
    throw new Error(`persisted session ${JSON.stringify(from.ref)} (version ${from.version}) cannot restore ${JSON.stringify(ref)}`);
  }
  const session = createActor(sessionMachine, from ? { snapshot: from.session } : {});
  const flag = createActor(flagMachine, from ? { snapshot: from.flag } : {});
  session.start();
  flag.start();
  let scoring: ScoringState = from ? from.scoring : initialScoring(ref, options);
  const rejected: ActorRejections = from ? { ...from.rejected } : { malformed: 0, beforeDeclaration: 0, refused: 0 };
  let stopped = false;
  let cached: SessionView | undefined;

  /** Sends `event` if the machine takes it; false when refused. */
  const offer = <E extends { type: string }>(actor: { getSnapshot(): { can(e: E): boolean }; send(e: E): void }, event: E) => {
    if (!actor.getSnapshot().can(event)) return false;
    actor.send(event);
    return true;
  };

  /** The flag event for a flag input; `resume` for green after the checkered (SCORING-NOTES §9). */
  const flagMove = (input: Extract<SessionInput, { kind: 'flag' }>): FlagMachineEvent | 'resume' => {
    if (input.flag === 'green' && session.getSnapshot().value === 'finishing' && flag.getSnapshot().value === 'checkered') return 'resume';
    return input.sector === undefined ? { type: 'FLAG', flag: input.flag } : { type: 'FLAG', flag: input.flag, sector: input.sector };
  };

  const refusal = (input: SessionInput): string | undefined => {
    if (input.kind !== 'declaration' && !scoring.declared) return 'the session has no declaration yet';
    const state = String(session.getSnapshot().value);
    if (input.kind === 'session') {
      return session.getSnapshot().can({ type: input.verb.toUpperCase() } as SessionMachineEvent)
        ? undefined : `the session is ${state}: "${input.verb}" is not a move from there`;
    }
    if (input.kind === 'flag') {
      const move = flagMove(input);
      if (move === 'resume' || flag.getSnapshot().can(move)) return undefined;
      const shown = String(flag.getSnapshot().value);
      if (shown === 'none') return `no flag before the session starts (the session is ${state})`;
      return `the flag machine does not allow ${shown} → ${input.flag}${input.flag === 'none' ? '' : ` (the session is ${state})`}`;
    }
    return undefined;
  };

  /** Step 2: the machines' verdict. */
  const accepted = (input: SessionInput): boolean => {
    if (input.kind === 'session') {
      const event = { type: input.verb.toUpperCase() } as SessionMachineEvent;
      if (!offer(session, event)) return false;
      if (input.verb === 'start') offer<FlagMachineEvent>(flag, { type: 'START' });
      if (input.verb === 'finish') offer<FlagMachineEvent>(flag, { type: 'FINISH' });
      return true;
    }
    if (input.kind === 'flag') {
      const event = flagMove(input);
      if (event === 'resume') {
        // Green after the checkered: counting resumes (SCORING-NOTES §9).
        offer<SessionMachineEvent>(session, { type: 'RESUME' });
        return offer<FlagMachineEvent>(flag, { type: 'RESUME' });
      }
      if (!offer(flag, event)) return false;
      if (input.flag === 'checkered') offer<SessionMachineEvent>(session, { type: 'CHECKERED' });
      return true;
    }
    return true;
  };

  return {
    send(input) {
      if (stopped) return;
      if (!isSessionInput(input)) {
        rejected.malformed++;
        return;
      }
      if (input.kind !== 'declaration' && !scoring.declared) {
        rejected.beforeDeclaration++;
        return;
      }
      if (input.kind !== 'passing' && 'reading' in input && input.reading) {
        const seen = markSeen(scoring.seen, input.reading);
        if (!seen) {
          scoring = rejectedInput(scoring, 'duplicate');
          cached = undefined;
          return;
        }
        scoring = { ...scoring, seen };
      }
      if (!accepted(input)) {
        rejected.refused++;
        return;
      }
      const before = scoring;
      const out = (deps.reduce ?? reduce)(scoring, input);
      scoring = out.state;
      cached = undefined;
      if (before.checkeredAtUs === undefined && scoring.checkeredAtUs !== undefined && (input.kind === 'passing' || input.kind === 'crossing' || input.kind === 'passing-edit')) {
        offer<FlagMachineEvent>(flag, { type: 'CHECKERED' });
        offer<SessionMachineEvent>(session, { type: 'CHECKERED' });
      }
      for (const lap of out.laps) deps.publishLap(lap);
    },
    refusal,
    scoring: () => scoring,
    view() {
      if (!cached) {
        const { sectors } = flag.getSnapshot().context as FlagContext;
        cached = {
          ...toView(scoring),
          state: session.getSnapshot().value as SessionState,
          flag: flag.getSnapshot().value as Flag,
          ...(sectors.length > 0 && { sectors }),
        };
      }
      return cached;
    },
    persist() {
      return {
        version: 1,
        ref: { ...scoring.ref },
        session: persisted(session),
        flag: persisted(flag),
        scoring,
        rejected: { ...rejected },
      };
    },
    rejected: () => ({ ...rejected, ...scoring.rejected }),
    stop() {
      stopped = true;
      session.stop();
      flag.stop();
    },
  };
}

const persisted = (actor: AnyActorRef): Snapshot<unknown> => actor.getPersistedSnapshot() as Snapshot<unknown>;

/**
 * Offline scoring of a whole stream: the view after folding `inputs` through a fresh actor (laps are not published).
 * The live actor and this fold give the same view for the same inputs. The inputs do not name their session: pass
 * `ref`, or let it come from the first declaration when that declares exactly one session.
 */
export function foldSession(inputs: SessionInput[], ref?: SessionRef, options: SessionActorOptions = {}): SessionView {
  const actor = createSessionActor(ref ?? refFromDeclaration(inputs), { publishLap: () => undefined }, undefined, options);
  for (const input of inputs) actor.send(input);
  const view = actor.view();
  actor.stop();
  return view;
}

function refFromDeclaration(inputs: SessionInput[]): SessionRef {
  const first = inputs.find((i) => i.kind === 'declaration');
  if (!first || first.kind !== 'declaration') throw new Error('foldSession: no declaration in the inputs and no ref given');
  const { track, event, sessions } = first.declaration;
  const only = sessions.length === 1 ? sessions[0] : undefined;
  if (!only) {
    throw new Error(`foldSession: the declaration has ${sessions.length} sessions (${sessions.map((s) => s.id).join(', ')}); pass ref to say which`);
  }
  return { track, event, session: only.id };
}
