/**
 * Every NATS subject Pitwall uses is built and parsed here, and only here (DESIGN §4).
 * The first token says who publishes: edge agents `edge.`, the gateway `gps.`/`cmd.`, the engine `timing.`/`view.`/`engine.`.
 */

export const EDGE_KINDS = ['passing', 'rmon', 'raw', 'session', 'health'] as const;
export type EdgeKind = (typeof EDGE_KINDS)[number];

export const TIMING_KINDS = [
  'passing', 'lap', 'flag', 'session', 'penalty', 'control', 'tick', 'correction', 'declaration', 'owner', 'audit', 'feed',
] as const;
export type TimingKind = (typeof TIMING_KINDS)[number];

/**
 * The RACE subject kind of a session input: its own kind where there is one; a note goes to `control` (the control
 * log's subject, as race control writes it); `feed` for what a scoring program's feed (RMonitor) adds — crossings,
 * seeds, car status, the program's positions.
 */
export function timingKindOf(inputKind: string): TimingKind {
  if (inputKind === 'note') return 'control';
  return (TIMING_KINDS as readonly string[]).includes(inputKind) ? (inputKind as TimingKind) : 'feed';
}

const SLUG = /^[a-z0-9-]+$/;

/** Ids in subjects are slugs; anything else could inject wildcards or extra tokens. */
export function assertSlug(what: string, value: string): string {
  if (!SLUG.test(value)) throw new Error(`${what} must be a slug [a-z0-9-]+, got ${JSON.stringify(value)}`);
  return value;
}

export const subjects = {
  edge: (track: string, device: string, kind: EdgeKind) =>
    `edge.${assertSlug('track', track)}.${assertSlug('device', device)}.${kind}`,
  gps: (track: string, device: string) => `gps.${assertSlug('track', track)}.${assertSlug('device', device)}`,
  timing: (track: string, session: string, kind: TimingKind) =>
    `timing.${assertSlug('track', track)}.${assertSlug('session', session)}.${kind}`,
  command: (track: string, session: string, verb: string) =>
    `cmd.${assertSlug('track', track)}.${assertSlug('session', session)}.${assertSlug('verb', verb)}`,
  /**
   * Race control's `open` of a declared session that no engine hosts yet: the gateway asks the engine running ingest
   * (engine/race-control/session-opener.ts). `_open` is no track slug, so a host's `cmd.<track>.<session>.*` never
   * matches it.
   */
  openSession: (track: string, session: string) => `cmd._open.${assertSlug('track', track)}.${assertSlug('session', session)}`,
  /** Every session's `openSession` (the engine running ingest subscribes, in a queue group: one answer). */
  openSessions: () => 'cmd._open.*.*',
  /** Every verb of one session's commands (the owning host subscribes). */
  commands: (track: string, session: string) => `cmd.${assertSlug('track', track)}.${assertSlug('session', session)}.*`,
  view: (track: string, session: string) => `view.${assertSlug('track', track)}.${assertSlug('session', session)}`,
  viewSnapshot: (track: string, session: string) =>
    `view.snapshot.${assertSlug('track', track)}.${assertSlug('session', session)}`,
  engineHealth: (node: string) => `engine.${assertSlug('node', node)}.health`,
  /** Every engine's health (gateways list live sessions from it; engines see how many sessions their peers run). */
  allEngineHealth: () => 'engine.*.health',
  /** Request/reply to the engine that owns the session: ingest asks it to write an input to RACE (the owner is its one writer). */
  sessionInput: (track: string, session: string) => `engine.input.${assertSlug('track', track)}.${assertSlug('session', session)}`,
} as const;

/** What the streams capture (engine/streams.ts). */
export const STREAM_SUBJECTS = {
  EDGE: ['edge.>', 'gps.>'],
  RACE: ['timing.>'],
} as const;

export type ParsedEdgeSubject = { track: string; device: string; kind: EdgeKind };

/** `edge.<track>.<device>.<kind>` → parts, or undefined for anything else. */
export function parseEdgeSubject(subject: string): ParsedEdgeSubject | undefined {
  const [root, track, device, kind, ...rest] = subject.split('.');
  if (root !== 'edge' || rest.length > 0 || !track || !device || !kind) return undefined;
  if (!(EDGE_KINDS as readonly string[]).includes(kind)) return undefined;
  return { track, device, kind: kind as EdgeKind };
}

export type ParsedGpsSubject = { track: string; device: string };

/** `gps.<track>.<device>` → parts, or undefined for anything else. */
export function parseGpsSubject(subject: string): ParsedGpsSubject | undefined {
  const [root, track, device, ...rest] = subject.split('.');
  if (root !== 'gps' || rest.length > 0 || !track || !device) return undefined;
  return { track, device };
}

export type ParsedTimingSubject = { track: string; session: string; kind: TimingKind };

/** `timing.<track>.<session>.<kind>` → parts, or undefined for anything else. */
export function parseTimingSubject(subject: string): ParsedTimingSubject | undefined {
  const [root, track, session, kind, ...rest] = subject.split('.');
  if (root !== 'timing' || rest.length > 0 || !track || !session || !kind) return undefined;
  if (!(TIMING_KINDS as readonly string[]).includes(kind)) return undefined;
  return { track, session, kind: kind as TimingKind };
}

export type ParsedOpenSessionSubject = { track: string; session: string };

/** `cmd._open.<track>.<session>` → parts, or undefined for anything else. */
export function parseOpenSessionSubject(subject: string): ParsedOpenSessionSubject | undefined {
  const [root, open, track, session, ...rest] = subject.split('.');
  if (root !== 'cmd' || open !== '_open' || rest.length > 0 || !track || !session || !SLUG.test(track) || !SLUG.test(session)) return undefined;
  return { track, session };
}

export type ParsedCommandSubject = { track: string; session: string; verb: string };

/** `cmd.<track>.<session>.<verb>` → parts, or undefined for anything else (the verb is checked by its handler). */
export function parseCommandSubject(subject: string): ParsedCommandSubject | undefined {
  const [root, track, session, verb, ...rest] = subject.split('.');
  if (root !== 'cmd' || rest.length > 0 || !track || !session || !verb || track === '_open') return undefined;
  return { track, session, verb };
}

/** Every gateway's accepted fixes (`gps.<track>.<device>`), for gateways that show them to spectators (the live map). */
export const ALL_GPS = 'gps.>';
