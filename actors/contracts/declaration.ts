/**
 * An event declaration: the rules of a meeting, declared rather than guessed (DESIGN §2.3). Read from a JSON or YAML
 * file (`docs/event-format.md`) by the simulator and the engine alike. This is the minimal form of the live slice;
 * the full rules (timing lines, best-lap eligibility, …) extend it.
 */

export type SessionType = 'practice' | 'qualifying' | 'race';

/**
 * When the session ends: after the leader completes `laps`; at the leader's first crossing after `timeMs`; or, with
 * `thenLeaderLap`, the time and then one more lap of the leader.
 */
export type FinishRule = { laps: number } | { timeMs: number; thenLeaderLap?: boolean };

export type StartType = 'standing' | 'rolling' | 'individual';

/** Which laps count for best lap (practice and qualifying order, fastest-lap awards). */
export interface BestLapEligibility {
  /** Laps that end under yellow (local, full course, safety car, code 60) do not count. */
  excludeYellow?: boolean;
  /** Lap 1 never counts. */
  excludeLap1?: boolean;
  /** In-laps and out-laps (pit lane) do not count. */
  excludePit?: boolean;
}

/** A line across the track where passings are read. `sf` is start/finish; GPS lines have two points. */
export interface TimingLineDeclaration {
  id: string;
  kind: 'start-finish' | 'pit-in' | 'pit-out' | 'sector';
  /** The decoder loop or device that reads it. */
  loop?: string;
  /** Virtual line for GPS: two [lat, lon] points. */
  points?: [[number, number], [number, number]];
}

/** A course mark for the live map. */
export interface CourseMark {
  id: string;
  name?: string;
  lat: number;
  lon: number;
}

export interface ClassDeclaration {
  id: string;
  name: string;
}

export interface SessionDeclaration {
  id: string;
  name: string;
  type: SessionType;
  finish: FinishRule;
  /** Classes taking part; all when absent. */
  classes?: string[];
  start?: StartType;
  bestLap?: BestLapEligibility;
  /** Shorter laps are double reads and are discarded (default 15 000). */
  minLapMs?: number;
}

export interface EntryDeclaration {
  /** The car number exactly as declared ("05" is not "5"). */
  number: string;
  name: string;
  class: string;
  /** Transponder id as the decoder reads it; the simulator uses it too. */
  transponder?: string;
  /** Further transponders (a car renumbered, a spare). */
  transponders?: string[];
  /** RFID chip ids (bib and bike chips). */
  chips?: string[];
  /** Slot-car lane or GPIO car id. */
  lane?: number;
  carId?: string;
  /** A rider's phone (GPS tracking). */
  riderDevice?: string;
  team?: string;
  /** More names (co-drivers). */
  drivers?: string[];
}

export interface EventDeclaration {
  track: string;
  event: string;
  name: string;
  /** IANA time zone of the track, for display. */
  timeZone?: string;
  classes: ClassDeclaration[];
  sessions: SessionDeclaration[];
  entries: EntryDeclaration[];
  timingLines?: TimingLineDeclaration[];
  /** Course marks (buoys, turn points) drawn on the live map; GPS virtual lines are in `timingLines[].points`. */
  marks?: CourseMark[];
  /** GPS tracking: fixes implying a faster speed than this from the rider's previous fix are outliers (default 40 m/s). */
  gps?: { maxSpeedMps?: number };
  /** A private event is visible only with its access code or a login (identity issue). */
  private?: boolean;
  /** The organisation (identity provider) that owns the event: a private event is visible to its logins. */
  org?: string;
}
