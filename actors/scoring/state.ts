import type { BestLapEligibility, ClassDeclaration, EntryDeclaration, FinishRule, SessionType } from '../contracts/declaration.ts';
import type { Flag, SessionState } from '../contracts/flags.ts';
import type { ControlLogEntry, PenaltyRecord } from '../contracts/race-control.ts';
import type { History } from './history.ts';
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
  /** The declared minimum lap (µs), overriding the option. */
  minLapUs?: number;
  /** Which laps count for best lap (absent: all). */
  bestLap?: BestLapEligibility;
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
  /** Race-time crossings (kind `crossing`): the start of the last counted lap, for re-timing (rule 5). */
  prevAtUs?: number;
  /** The last lap was counted as a best-lap candidate (so a re-timing can replace it). */
  lastEligible?: true;
  bestLapNumber?: number;
  secondBestLapUs?: number;
  lapsLed?: number;
  /** Pit lane: in it now (since `pitInAtUs`), and whether the lap in progress touched it (in-lap / out-lap). */
  inPit?: true;
  pitInAtUs?: number;
  pitLap?: true;
  pitStops?: number;
  pitTimeUs?: number;
  penaltyUs?: number;
  /** Class set by a class change, overriding the entry's. */
  class?: string;
  /** Set by race control. */
  status?: 'dns' | 'dnf' | 'dsq';
  /** The official program's positions (mode follow). */
  programPosition?: number;
  programBestPosition?: number;
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
  /** A timed crossing with the race time of the last counted crossing (red flag, after the checkered: rule 4). */
  sameTime?: number;
  /** A timed crossing with race time 0: before the session clock started (rule 2). */
  clockNotStarted?: number;
  /** A timed crossing re-timing the last one (rule 5): laps unchanged, time replaced. */
  retimed?: number;
  /** A passing edit naming a passing the session does not hold, or adding one later than the session clock. */
  badPassingEdit?: number;
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
  /** Scoring choices of the source (not of the series): see ScoringOptions. Absent: defaults. */
  options?: ResolvedOptions;
  /** Time-based finish with thenLeaderLap: the time has expired and the leader has crossed; its next lap ends it. */
  finalLap?: true;
  /** Race control's accepted events (race-control.ts): arrays replaced, never mutated, so views diff by reference. */
  controlLog?: ControlLogEntry[];
  penalties?: PenaltyRecord[];
  /** What the scores were folded from, for race control's passing edits (history.ts). */
  history?: History;
  /** The latest agreement of independent scoring with the official program (input `agreement`). */
  agreement?: { rows: number; disagreements: number; rule: number };
}

/** How cars without a best lap are ordered in practice and qualifying (rule 16). */
export type NoBestLapOrder = 'laps' | 'number';

export interface ScoringOptions {
  minLapUs?: number;
  /** Race order computed from passings (independent, default) or taken from the official program (follow). */
  mode?: 'independent' | 'follow';
  /** Scoring shows the checkered itself (leader's distance or time): default true; false when the feed shows it. */
  autoCheckered?: boolean;
  /** A car is stale after no crossing for this many of its typical laps (default 3). */
  staleLaps?: number;
  /** Rule 16 (default 'laps': recent Orbits). */
  noBestLapOrder?: NoBestLapOrder;
}

export interface ResolvedOptions {
  mode: 'independent' | 'follow';
  autoCheckered: boolean;
  staleLaps: number;
  noBestLapOrder: NoBestLapOrder;
}

export const DEFAULT_OPTIONS: ResolvedOptions = { mode: 'independent', autoCheckered: true, staleLaps: 3, noBestLapOrder: 'laps' };

/** A car's class now: a class change overrides the entry's. */
export const classOf = (state: ScoringState, car: string, declared: string): string => state.cars[car]?.class ?? declared;

export const minLapOf = (state: ScoringState): number => state.declared?.minLapUs ?? state.minLapUs;

export const optionsOf = (state: ScoringState): ResolvedOptions => state.options ?? DEFAULT_OPTIONS;

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
    ...(hasOptions(options) ? { options: resolve(options) } : {}),
  };
}

const hasOptions = (o: ScoringOptions) =>
  o.mode !== undefined || o.autoCheckered !== undefined || o.staleLaps !== undefined || o.noBestLapOrder !== undefined;

function resolve(o: ScoringOptions): ResolvedOptions {
  return {
    mode: o.mode ?? DEFAULT_OPTIONS.mode,
    autoCheckered: o.autoCheckered ?? DEFAULT_OPTIONS.autoCheckered,
    staleLaps: o.staleLaps ?? DEFAULT_OPTIONS.staleLaps,
    noBestLapOrder: o.noBestLapOrder ?? DEFAULT_OPTIONS.noBestLapOrder,
  };
}
