import type { ClassDeclaration, EntryDeclaration, FinishRule, SessionType } from '../contracts/declaration.ts';
import type { Flag, SessionState } from '../contracts/flags.ts';
import type { SeenReadings } from './seen-readings.ts';

/**
 * The scoring state of one session: a fold of its SessionInputs (reduce.ts). Plain JSON data only — no Maps, no
 * undefined-valued keys, no class instances — so a snapshot written to KV as JSON restores byte-identically.
 * Each step returns a new object; unchanged parts are shared.
 */

/** A lap shorter than this is a double read (SCORING-NOTES §8) and is discarded. Overridable per session. */
export const MIN_LAP_US = 15_000_000;

export interface SessionRef {
  track: string;
  event: string;
  session: string;
}

/** What the declaration says about this session (the rest of the event declaration is not kept). */
export interface DeclaredSession {
  name: string;
  type: SessionType;
  finish: FinishRule;
  classes: ClassDeclaration[];
  /** In declared order: cars without a counted crossing are listed in this order. */
  entries: EntryDeclaration[];
}

export interface CarScore {
  laps: number;
  /** Absolute time of the last counted crossing (µs). */
  lastAtUs?: number;
  /** Arrival order of that crossing: exact ties on laps and time rank the passing received first ahead. */
  lastArrival?: number;
  lastLapUs?: number;
  bestLapUs?: number;
  /** Took the checkered flag: later crossings are ignored. */
  finished?: true;
}

/** Passings that counted no lap, by reason — metered by the host. */
export interface Rejected {
  /** A car number not in the entries. */
  unknownCar: number;
  /** The same (device, boot, seq) again. */
  duplicate: number;
  /** Before the session start (lap 1 is timed from the start). */
  beforeStart: number;
  /** Shorter than the minimum lap: a double read, or the start crossing itself. */
  shortLap: number;
  /** Not after the car's last counted crossing (a late re-send). */
  outOfOrder: number;
  /** Under the red flag: no laps credited. */
  redFlag: number;
  /** The car already took the checkered flag, or the session is finished. */
  afterFinish: number;
  /** Any input before the declaration, or a declaration without this session. */
  undeclared: number;
}

export interface ScoringState {
  ref: SessionRef;
  minLapUs: number;
  declared?: DeclaredSession;
  /** The reducer's own record of the session state and flag: scoring facts (started? red? checkered?). In the actor
   *  it only sees inputs the machines accepted, so it agrees with them; the view takes both from the machines. */
  phase: SessionState;
  flag: Flag;
  startUs?: number;
  /** The latest event time seen (µs): the session clock. */
  nowUs?: number;
  /** When the checkered flag went out: each car's first crossing after it completes its race. */
  checkeredAtUs?: number;
  /** Counts passings in arrival order (ties). */
  arrivals: number;
  cars: Record<string, CarScore>;
  seen: SeenReadings;
  rejected: Rejected;
}

export interface ScoringOptions {
  minLapUs?: number;
}

export const NO_REJECTIONS: Rejected = {
  unknownCar: 0, duplicate: 0, beforeStart: 0, shortLap: 0, outOfOrder: 0, redFlag: 0, afterFinish: 0, undeclared: 0,
};

export function initialScoring(ref: SessionRef, options: ScoringOptions = {}): ScoringState {
  return {
    ref: { track: ref.track, event: ref.event, session: ref.session },
    minLapUs: options.minLapUs ?? MIN_LAP_US,
    phase: 'scheduled',
    flag: 'none',
    arrivals: 0,
    cars: {},
    seen: {},
    rejected: NO_REJECTIONS,
  };
}
