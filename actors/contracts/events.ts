import type { EventDeclaration } from './declaration.ts';
import type { Flag } from './flags.ts';
import type { ControlStamp, PenaltyType } from './race-control.ts';

/**
 * The messages of the pipeline (DESIGN §4). Times are integer microseconds since the Unix epoch on the source's own
 * clock (`atUs`); the simulator's clock runs at its --speed, so its `atUs` advances faster than the wall clock.
 */

/** Every edge reading is identified by (device, boot, seq): the JetStream message id and the actor's dedupe key. */
export interface ReadingId {
  device: string;
  /** Random per process start of the agent. */
  boot: string;
  /** Counts up from 1 within a boot. */
  seq: number;
}

export const readingMsgId = (id: ReadingId) => `${id.device}:${id.boot}:${id.seq}`;

export type PassingSource = 'sim' | 'gpio' | 'p3' | 'rfid' | 'gps' | 'rmonitor' | 'jsonl';

/**
 * `edge.<track>.<device>.passing`: one normalised passing, as read. Agents never map readings to cars: exactly one
 * of transponder, chip, lane or carId says what was read; the engine maps it to an entry.
 */
export interface EdgePassing extends ReadingId {
  type: 'passing';
  atUs: number;
  /** How precise `atUs` is (decoder resolution, debounce window, GPS interpolation). */
  precisionUs: number;
  source: PassingSource;
  transponder?: string;
  chip?: string;
  lane?: number;
  carId?: string;
  /** The timing line crossed; start/finish when absent. */
  line?: string;
}

/**
 * `edge.<track>.<device>.session`: a source that owns the session's clock (simulator, replay, start lights) opens,
 * starts, flags and finishes the session it names, and ticks its clock once per second of session time. Start lights
 * also report jump starts, which the engine counts, logs and writes into the control log (they change no standings).
 */
export type EdgeSessionMessage = ReadingId & { session: string; atUs: number } & (
    | { type: 'session.open'; event: string }
    | { type: 'session.start' }
    | { type: 'session.finish' }
    | { type: 'flag'; flag: Flag; sector?: number }
    | { type: 'clock.tick' }
    /** Start lights: a car crossed its lane sensor after the start sequence began and before the green. */
    | { type: 'jump-start'; lane?: number; carId?: string }
  );

/**
 * What a session is folded from: the events in stream RACE on `timing.<track>.<session>.<kind>`, written by the
 * engine (single writer). The same events give byte-identical standings, live or replayed. An input made from an edge
 * reading carries its `reading` id: the actor applies each reading once, however often it arrives (a re-send after
 * a lost ack beyond the streams' dedupe windows). An input that race control gave carries `control` (who, when,
 * why): the actor writes it into the control log.
 */
export type SessionInput = (
  | { kind: 'declaration'; atUs: number; declaration: EventDeclaration }
  | { kind: 'session'; atUs: number; verb: 'open' | 'start' | 'finish' | 'official'; reading?: ReadingId }
  | { kind: 'flag'; atUs: number; flag: Flag; sector?: number; reading?: ReadingId }
  | { kind: 'tick'; atUs: number; reading?: ReadingId }
  | { kind: 'passing'; atUs: number; car: string; precisionUs: number; reading: ReadingId }
  | TimedCrossing
  | LapSeed
  | LineCrossing
  | PenaltyInput
  | LapCorrection
  | ClassChange
  | CarStatusInput
  | ProgramPosition
  | ControlNote
  | PassingReassignment
  | PassingEdit
  | ProgramAgreement
) & { control?: ControlStamp };

/**
 * A passing timed by a scoring program (RMonitor `$J`): its race time and lap time as the program computed them.
 * `atUs` = session start + `raceUs`. `lapUs` 0 is the car's first crossing (lap 0); `raceUs` 0 a crossing before the
 * session clock started. Laps follow SCORING-NOTES rules 1–9 (actors/scoring/crossing.ts).
 */
export interface TimedCrossing {
  kind: 'crossing';
  atUs: number;
  car: string;
  raceUs: number;
  lapUs: number;
}

/** A car's laps and race time when a feed is joined mid-session (RMonitor `$G` of the opening dump block). */
export interface LapSeed {
  kind: 'seed';
  atUs: number;
  car: string;
  laps: number;
  raceUs: number;
}

/** What a timing line is for: pit-in/pit-out loops give pit status and time, never laps. */
export type LineLoop = 'sf-track' | 'sf-pit' | 'pit-in' | 'pit-out' | 'other';

/** A crossing of a timing line other than the one laps come from (IMSA RMonitor `$L`, decoder loops). */
export interface LineCrossing {
  kind: 'line';
  atUs: number;
  car: string;
  /** The line as the source names it ("P2", "T1"). */
  line: string;
  loop: LineLoop;
}

/**
 * Race control: a time penalty (added to total time, never costs laps) and/or a lap penalty (laps removed). `type`
 * says which penalty race control gave: `dsq` disqualifies the car; drive-through, stop-and-go and warning are listed
 * in the view and change no score (the car serves them on track). Absent (feeds): time and laps only.
 */
export interface PenaltyInput {
  kind: 'penalty';
  atUs: number;
  car: string;
  type?: PenaltyType;
  timeUs?: number;
  laps?: number;
  reason?: string;
}

/** Race control: a line in the control log and nothing else. A device's note (a jump start) carries its reading. */
export interface ControlNote {
  kind: 'note';
  atUs: number;
  text: string;
  reading?: ReadingId;
}

/**
 * Race control: one passing credited to `car` belongs to `to` (a misread or mistyped car number): a lap moves, times
 * stay. Written before race control named the passing; it now writes a PassingEdit `move`, which re-scores the times.
 */
export interface PassingReassignment {
  kind: 'reassign';
  atUs: number;
  car: string;
  to: string;
}

/**
 * Race control: one passing of `car` at `passingAtUs` removed (a double read), added (a missed passing) or moved to
 * car `to` (a misread transponder). The session is scored again as if the corrected passings had been its input from
 * the start (actors/scoring/passing-edit.ts): laps, lap times, best laps, gaps and laps led follow. `remove` and
 * `move` name a passing the session holds (the exact `atUs` of a passing or timed crossing of `car`).
 */
export interface PassingEdit {
  kind: 'passing-edit';
  atUs: number;
  edit: 'remove' | 'add' | 'move';
  car: string;
  passingAtUs: number;
  /** `move`: the car the passing belongs to. */
  to?: string;
}

/** Race control: an operator lap adjustment, signed (laps may become negative). */
export interface LapCorrection {
  kind: 'correction';
  atUs: number;
  car: string;
  laps: number;
}

/** An entry moves to another class mid-session. */
export interface ClassChange {
  kind: 'class';
  atUs: number;
  car: string;
  class: string;
}

/** Race control: a car did not start, retired, or was disqualified; `running` clears it. */
export interface CarStatusInput {
  kind: 'status';
  atUs: number;
  car: string;
  status: 'running' | 'dns' | 'dnf' | 'dsq';
}

/** The official program's own positions (RMonitor `$G` race, `$H` best lap): used for order in mode `follow`. */
export interface ProgramPosition {
  kind: 'program';
  atUs: number;
  car: string;
  board: 'race' | 'best';
  position: number;
  laps?: number;
  /** `race`: race time of the last crossing; `best`: the best lap. */
  timeUs?: number;
}

/**
 * Independent scoring checked against the official program's boards so far (live RMonitor: engine/rmonitor-ingest.ts,
 * docs/scoring-accuracy.md): `$G`/`$H` rows compared, how many disagree, and how many of those no feed noise or
 * missing input explains (cause `rule`). Shown in the view's header; scores nothing.
 */
export interface ProgramAgreement {
  kind: 'agreement';
  atUs: number;
  rows: number;
  disagreements: number;
  rule: number;
}

/** `timing.<track>.<session>.lap`: a completed lap, derived by the actor; the lap sink stores it in ClickHouse. */
export interface LapEvent {
  kind: 'lap';
  track: string;
  event: string;
  session: string;
  car: string;
  class: string;
  /** 1 = the first completed lap. */
  lap: number;
  lapUs: number;
  /** Race time at the end of the lap (since the session start). */
  raceUs: number;
  /** Absolute crossing time. */
  atUs: number;
  /** Overall position after this lap. */
  position: number;
  /** The flag when the lap ended. */
  flag: Flag;
  /** The car was in the pit lane on this lap. */
  pit: boolean;
}

export const lapMsgId = (lap: Pick<LapEvent, 'track' | 'session' | 'car' | 'lap'>) =>
  `lap:${lap.track}:${lap.session}:${lap.car}:${lap.lap}`;
