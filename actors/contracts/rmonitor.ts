import type { EdgeAgentHealth } from './edge-health.ts';

/**
 * RMonitor ("Result Monitor") scoreboard records as typed data: the contract between the edge codec
 * (edge/rmonitor/codec.ts, which builds them) and the session actor (which reads them from `edge.<track>.<device>.rmon`).
 * Types only, no logic.
 *
 * Sources: the RMonitor Timing Protocol v1.0 (`$F $A $COMP $B $C $E $G $H $I $J $COR`), the IMSA Enhanced RMon
 * protocol v1.03 (`$L`, `$T`) and Race Monitor's `$RM…` extensions (only those whose meaning is clear).
 *
 * Conventions:
 * - `type` is the record's command without the `$` (`'F'`, `'COMP'`, …).
 * - Times: every RMonitor time field is kept as the raw string the feed sent (`…Time`, for an exact round trip) and as
 *   integer microseconds (`…Us`, DESIGN units), or `null` when the field is empty. RMonitor times are race time since
 *   the session start (`raceUs`), lap times (`lapUs`) or time of day (`timeOfDayUs`, µs since local midnight; the feed
 *   has no time zone). Negative values occur: Orbits counts down to the start as `"00:00:-47"`.
 * - Numbers that may be empty in real feeds (`$G` laps before the first lap) are `number | null`.
 * - Car numbers and registration numbers are strings exactly as sent (`"05"` ≠ `"5"`).
 * - `extra` holds fields beyond the ones the spec defines (the IMSA spec allows them); absent when there are none.
 */

/** `$F` flag status, normalised; `flagRaw` keeps the 6-character field as sent ("Green ", "      "). */
export type RmonFlag = 'green' | 'yellow' | 'red' | 'finish' | 'none' | 'other';

interface RmonBase {
  extra?: string[];
}

/** `$F` heartbeat, every second: the feed's clock. */
export interface RmonHeartbeat extends RmonBase {
  type: 'F';
  /** 9999 when the session is not lap-limited. */
  lapsToGo: number | null;
  timeToGo: string;
  timeToGoUs: number | null;
  timeOfDay: string;
  timeOfDayUs: number | null;
  raceTime: string;
  raceUs: number | null;
  flag: RmonFlag;
  flagRaw: string;
}

/** `$A` competitor. */
export interface RmonCompetitor extends RmonBase {
  type: 'A';
  /** Registration number: the key `$G $H $J $COR` use. */
  regNo: string;
  number: string;
  transponder: string;
  firstName: string;
  lastName: string;
  nationality: string;
  classId: number | null;
}

/** `$COMP` competitor (IMSA: `nationality` carries the car status: "", "Retired", "Excluded"). */
export interface RmonCompetitorExt extends RmonBase {
  type: 'COMP';
  regNo: string;
  number: string;
  classId: number | null;
  firstName: string;
  lastName: string;
  nationality: string;
  additional: string;
}

/** `$B` run: one run is one session (DESIGN §1); `$B,95` is Orbits' scratch run. */
export interface RmonRun extends RmonBase {
  type: 'B';
  run: number;
  description: string;
}

/** `$C` class. */
export interface RmonClass extends RmonBase {
  type: 'C';
  classId: number;
  description: string;
}

/** `$E` setting: `TRACKNAME`, `TRACKLENGTH`, … */
export interface RmonSetting extends RmonBase {
  type: 'E';
  name: string;
  value: string;
}

/** `$G` race position (the scoring program's own truth). */
export interface RmonRacePosition extends RmonBase {
  type: 'G';
  position: number;
  regNo: string;
  laps: number | null;
  totalTime: string;
  raceUs: number | null;
}

/** `$H` practice/qualifying position by best lap. */
export interface RmonBestLap extends RmonBase {
  type: 'H';
  position: number;
  regNo: string;
  bestLap: number | null;
  bestLapTime: string;
  lapUs: number | null;
}

/** `$I` init: clear the scoreboard (laps and times continue, see SCORING-NOTES). Date as sent ("12 jan 01", "0/0/0000"). */
export interface RmonInit extends RmonBase {
  type: 'I';
  timeOfDay: string;
  timeOfDayUs: number | null;
  date: string;
}

/** `$J` passing: a car crossed the finish line. */
export interface RmonPassing extends RmonBase {
  type: 'J';
  regNo: string;
  lapTime: string;
  lapUs: number | null;
  totalTime: string;
  raceUs: number | null;
}

/** `$COR` corrected finish time (e.g. by line camera); `correctionUs` is signed. */
export interface RmonCorrection extends RmonBase {
  type: 'COR';
  regNo: string;
  number: string;
  laps: number | null;
  totalTime: string;
  raceUs: number | null;
  correction: string;
  correctionUs: number | null;
}

/**
 * `$L` line crossing (IMSA). `line` is "T1".."TB" (track) or "P1".. (pit), `lineName` SFT/SFP/POT/POP/PIT/PIP.
 * `date` is MM/DD/YYYY as sent. `driverId` and `className` came with v1.03; older feeds (2009) omit them.
 */
export interface RmonLineCrossing extends RmonBase {
  type: 'L';
  number: string;
  line: string;
  lineName: string;
  date: string;
  time: string;
  timeOfDayUs: number | null;
  driverId?: number | null;
  className?: string;
}

export interface RmonTrackSection {
  name: string;
  start: string;
  end: string;
  /** Section length in inches. */
  inches: number | null;
}

/** `$T` track description (IMSA). */
export interface RmonTrack extends RmonBase {
  type: 'T';
  name: string;
  shortName: string;
  distance: string;
  /** The declared section count as sent (may disagree with `sections.length` in a bad feed: then it is an error). */
  sectionCount: number;
  sections: RmonTrackSection[];
}

/** `$RMS` Race Monitor sort mode ("race", "qualifying", …). */
export interface RmonSortMode extends RmonBase {
  type: 'RMS';
  sortMode: string;
}

/** `$RMHL` Race Monitor lap history: one completed lap with the flag it was run under. */
export interface RmonLapHistory extends RmonBase {
  type: 'RMHL';
  regNo: string;
  lap: number | null;
  position: number | null;
  lapTime: string;
  lapUs: number | null;
  flagRaw: string;
  flag: RmonFlag;
  totalTime: string;
  raceUs: number | null;
}

/** Any other record (other `$RM…` ones, vendor extensions): passed through, counted, never guessed at. */
export interface RmonUnknown {
  type: 'unknown';
  /** The command as sent, without `$` (e.g. "RMLT"). */
  code: string;
  raw: string;
}

export type RmonRecord =
  | RmonHeartbeat
  | RmonCompetitor
  | RmonCompetitorExt
  | RmonRun
  | RmonClass
  | RmonSetting
  | RmonRacePosition
  | RmonBestLap
  | RmonInit
  | RmonPassing
  | RmonCorrection
  | RmonLineCrossing
  | RmonTrack
  | RmonSortMode
  | RmonLapHistory
  | RmonUnknown;

export type RmonRecordType = RmonRecord['type'];

/** Why a line is not a record. Counted per kind in the agent's health. */
export type RmonErrorKind =
  | 'not-a-record' // does not start with `$` + command
  | 'unterminated-quote'
  | 'field-count' // fewer fields than the record needs
  | 'bad-number'
  | 'bad-time'
  | 'too-long' // framing: a line over the maximum length (dropped up to the next newline)
  | 'bad-capture-header'; // capture files only: a `##` line that is not a timestamp (e.g. truncated)

/**
 * `edge.<track>.<device>.rmon`: one line of the feed as received, parsed. The JetStream message id is
 * `<device>:<boot>:<seq>` (same shape as `ReadingId` in events.ts); seq counts every line of a boot, so a gap in seq
 * means a lost message. Exactly one of `record` and `error` is present.
 */
export interface EdgeRmonMessage {
  type: 'rmon';
  device: string;
  /** Random per process start of the agent. */
  boot: string;
  /** Counts up from 1 within a boot. */
  seq: number;
  /** Wall-clock µs since the Unix epoch when the agent received the line (the feed's own clock is in `$F`). */
  receivedAtUs: number;
  /** The line as received, without the line ending. */
  raw: string;
  record?: RmonRecord;
  error?: { kind: RmonErrorKind; message: string };
}

/** `edge.<track>.<device>.health` of the RMonitor feed agent, published periodically and on every change. */
export interface RmonAgentHealth extends EdgeAgentHealth {
  agent: 'rmonitor';
  feed: string;
  connected: boolean;
  /** Since when `connected` has had its value. */
  sinceUs: number;
  reconnects: number;
  /** Feed outages, oldest first (the last ones only; `outageCount` counts all). An open outage has no `endUs`. */
  outages: { startUs: number; endUs?: number; reason: string }[];
  outageCount: number;
  /** Lines published with a record, per record type. */
  records: number;
  recordsByType: Partial<Record<RmonRecordType, number>>;
  /** Lines that were not records, per kind. */
  errors: Partial<Record<RmonErrorKind, number>>;
}
