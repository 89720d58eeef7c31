import type { SessionType } from './declaration.ts';
import type { Flag, SessionState } from './flags.ts';
import type { ControlLogEntry, PenaltyRecord } from './race-control.ts';

/**
 * What spectators see of one session: the header and the standings in order. Optional fields are absent when they
 * do not apply (no lap yet, the leader's gap); a diff clears them explicitly (view-diff.ts).
 */
export interface StandingRow {
  number: string;
  name: string;
  class: string;
  position: number;
  classPosition: number;
  laps: number;
  lastLapUs?: number;
  bestLapUs?: number;
  /** Race time at the last counted crossing. */
  raceUs?: number;
  /** To the leader: time on the same lap, otherwise whole laps. Absent for the leader. */
  gapUs?: number;
  gapLaps?: number;
  /** To the car ahead, as the gap. Absent for the leader. */
  intervalUs?: number;
  intervalLaps?: number;
  /** Has taken the checkered flag. */
  finished?: boolean;
  /** Gap and interval within the class, as gapUs/gapLaps and intervalUs/intervalLaps. Absent for the class leader. */
  classGapUs?: number;
  classGapLaps?: number;
  classIntervalUs?: number;
  classIntervalLaps?: number;
  /** The lap on which the best lap was set; the second-best lap (best-lap order breaks ties with it). */
  bestLapNumber?: number;
  secondBestLapUs?: number;
  /** Grid position minus position (races). */
  positionsGained?: number;
  /** Laps completed in the lead. */
  lapsLed?: number;
  /** In the pit lane now; pit stops and total time in the pit lane (pit-in to pit-out). */
  pit?: boolean;
  pitStops?: number;
  pitTimeUs?: number;
  status?: CarStatus;
  /** Time penalties, added to the total time. */
  penaltyUs?: number;
  /** Race time at the last counted crossing plus penalties: what race order compares. */
  elapsedUs?: number;
}

export type CarStatus = 'running' | 'pit' | 'stale' | 'finished' | 'dns' | 'dnf' | 'dsq';

export interface SessionHeader {
  track: string;
  event: string;
  session: string;
  name: string;
  type: SessionType;
  state: SessionState;
  flag: Flag;
  /** Session time since the start (0 before it). */
  clockUs: number;
  /** For a timed session: time left. */
  remainingUs?: number;
  /** For a session over laps: laps left for the leader. */
  remainingLaps?: number;
  /** Sectors under local yellow (flag `yellow`), ascending. */
  sectors?: number[];
  /** Penalties race control gave, oldest first. */
  penalties?: PenaltyRecord[];
  /** Race control's accepted events in words, oldest first (the latest CONTROL_LOG_LIMIT). */
  controlLog?: ControlLogEntry[];
  /**
   * A scoring program's feed (live RMonitor): its `$G`/`$H` rows compared with independent scoring, those that
   * disagree, and those of them that no feed noise or missing input explains (docs/scoring-accuracy.md).
   */
  programRows?: number;
  programDisagreements?: number;
  programRuleDisagreements?: number;
}

export interface SessionView extends SessionHeader {
  rows: StandingRow[];
}

/** A change of a row: fields set, and fields cleared (made absent). */
export interface RowPatch {
  set?: Partial<StandingRow>;
  clear?: (keyof StandingRow)[];
}

/** The change from one view to the next. Absent parts are unchanged. */
export interface ViewDiff {
  header?: Partial<SessionHeader>;
  headerClear?: (keyof SessionHeader)[];
  /** By car number: new rows carry all their fields in `set`. */
  rows?: Record<string, RowPatch>;
  /** The car numbers in order, whenever the order or the set of cars changed. */
  order?: string[];
}

/** `view.<track>.<session>` (core NATS, MessagePack): consecutive `seq`, one per coalesced diff. */
export interface ViewDiffMessage {
  seq: number;
  diff: ViewDiff;
}

/** Reply to `view.snapshot.<track>.<session>` (MessagePack): the whole view as of `seq`. */
export interface ViewSnapshotMessage {
  seq: number;
  view: SessionView;
}
