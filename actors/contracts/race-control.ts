import type { Flag } from './flags.ts';

/**
 * Race control (issue 11): officials' commands, the events they become, and what the view and the audit show of
 * them. Shared by the gateway (which forwards commands), the engine (which decides them) and the actor (which folds
 * the accepted ones). JSON on the wire; times in µs on the session's clock, wall time in ms.
 */

/** The verbs of `cmd.<track>.<session>.<verb>`. */
export const COMMAND_VERBS = ['open', 'start', 'finish', 'official', 'flag', 'penalty', 'note', 'correction'] as const;
export type CommandVerb = (typeof COMMAND_VERBS)[number];
export const isCommandVerb = (v: unknown): v is CommandVerb => (COMMAND_VERBS as readonly unknown[]).includes(v);
/** What the gateway passes on as a verb (a subject token); whether the engine knows it is the engine's to say. */
export const VERB_PATTERN = /^[a-z][a-z-]{0,31}$/;

export const PENALTY_TYPES = ['drive-through', 'stop-and-go', 'time', 'laps', 'dsq', 'warning'] as const;
export type PenaltyType = (typeof PENALTY_TYPES)[number];

export const CORRECTION_TYPES = ['add-passing', 'remove-passing', 'change-class', 'fix-number'] as const;
export type CorrectionType = (typeof CORRECTION_TYPES)[number];

/** Who gave a race-control event, and why: carried by every event a command became. */
export interface ControlStamp {
  /** The command's id (also the JetStream message id: a retried command is written once). */
  id: string;
  /** The token's subject (account id). */
  by: string;
  /** The token's organisation. */
  org: string;
  /** Wall-clock time the engine accepted it (ms since the epoch). */
  atMs: number;
  why?: string;
}

/** The arguments of each verb, as officials send them (REST body / WebSocket `command` frame `args`). */
export type CommandArgs =
  | { verb: 'open' | 'start' | 'finish' | 'official' }
  | { verb: 'flag'; flag: Exclude<Flag, 'none'>; sector?: number }
  | { verb: 'penalty'; car: string; type: PenaltyType; timeMs?: number; laps?: number }
  | { verb: 'note'; text: string }
  /** `raceMs`: the passing a remove, add or fix-number names, by race time (docs/race-control.md). */
  | { verb: 'correction'; type: CorrectionType; car: string; class?: string; to?: string; raceMs?: number };

/** The caller, as the gateway verified it from the access token. The engine decides what it may do. */
export interface CommandCaller {
  sub: string;
  org: string;
  roles: string[];
}

/** Request on `cmd.<track>.<session>.<verb>` (JSON). `args` is checked by the engine (the verb is the subject's). */
export interface CommandRequest {
  id: string;
  caller: CommandCaller;
  /** How the command came in. */
  via: 'rest' | 'ws';
  args: Record<string, unknown>;
  why?: string;
}

/**
 * Why a command was refused: `bad_request` (malformed arguments), `unauthorized` (role or organisation),
 * `unknown_car` / `unknown_class`, `not_allowed` (the session or flag machine, or the session's state, forbids it).
 */
export const REFUSAL_CODES = ['bad_request', 'unauthorized', 'unknown_car', 'unknown_class', 'not_allowed'] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

export type CommandOutcome =
  | { outcome: 'accepted'; streamSeq: number; duplicate?: true }
  | { outcome: 'refused'; code: RefusalCode; reason: string };

/** The engine's reply (JSON). */
export type CommandReply = { id: string } & CommandOutcome;

/**
 * The answer on `cmd._open.<track>.<session>` (a `CommandRequest` for verb `open` of a session no engine hosts):
 * `created` — the engine running ingest opened the declared session and its host now answers its commands;
 * `live` — it was open already; refused — nothing was created (`unknown_session`: no declared event at the track
 * has that session). The `open` command itself is then sent to the host, which decides and audits it.
 */
export type OpenSessionReply =
  | { outcome: 'created' | 'live'; event: string }
  | { outcome: 'refused'; code: RefusalCode | 'unknown_session'; reason: string };

/**
 * `timing.<track>.<session>.audit` in stream RACE: one per command the engine decided, accepted or refused. Not a
 * session input (the actor skips it); archived to ClickHouse `race_events` with kind `audit`.
 */
export interface AuditRecord {
  kind: 'audit';
  /** The session's clock when decided (as the event's `atUs`). */
  atUs: number;
  atMs: number;
  id: string;
  verb: string;
  caller: CommandCaller;
  via: 'rest' | 'ws';
  args: Record<string, unknown>;
  why?: string;
  outcome: CommandOutcome;
}

/** One line of the control log in the session view: an accepted race-control event, in words. */
export interface ControlLogEntry {
  id: string;
  atUs: number;
  atMs: number;
  by: string;
  verb: CommandVerb;
  text: string;
  car?: string;
  why?: string;
}

/** A penalty given in this session, as the view lists it. */
export interface PenaltyRecord {
  id: string;
  atUs: number;
  car: string;
  type: PenaltyType;
  timeUs?: number;
  laps?: number;
  why?: string;
}

/** The view keeps the latest entries of the control log; the audit keeps them all. */
export const CONTROL_LOG_LIMIT = 200;
