/**
 * An event declaration: the rules of a meeting, declared rather than guessed (DESIGN §2.3). Read from a JSON or YAML
 * file (`docs/event-format.md`) by the simulator and the engine alike. This is the minimal form of the live slice;
 * the full rules (timing lines, best-lap eligibility, …) extend it.
 */

export type SessionType = 'practice' | 'qualifying' | 'race';

/** When the session ends: after the leader completes `laps`, or at the leader's first crossing after `timeMs`. */
export type FinishRule = { laps: number } | { timeMs: number };

export interface ClassDeclaration {
  id: string;
  name: string;
}

export interface SessionDeclaration {
  id: string;
  name: string;
  type: SessionType;
  finish: FinishRule;
}

export interface EntryDeclaration {
  /** The car number exactly as declared ("05" is not "5"). */
  number: string;
  name: string;
  class: string;
  /** Transponder id as the decoder reads it; the simulator uses it too. */
  transponder?: string;
  team?: string;
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
}
