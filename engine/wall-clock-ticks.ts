import type { IngestInput } from './ownership/session-input.ts';

/**
 * The clock of a session that no source ticks (race control opened it: GPS, manual timing): its owner writes a
 * `tick` of the wall clock (UTC µs, the time base of GPS fixes) every `everyMs` while the session runs its clock
 * (open, running, finishing), so the race clock, the time left and stale cars move between passings (DESIGN §2.1: the
 * engine ticks sources that run in real time). A tick is a RACE event like any other: a replay gives the same result.
 * The message id is the second, so a retry writes one tick; a tick that fails is logged by `write` and not retried
 * (the next one follows within a second).
 */
export interface WallClockDeps {
  /** Writes one input as the session's owner (with its lease epoch). */
  write(input: IngestInput, msgId: string): Promise<unknown>;
  /** Whether this host may write now: it owns the session and has caught up with RACE, and the clock runs. */
  ticking(): boolean;
  now?: () => number;
}

export const TICKING_STATES: ReadonlySet<string> = new Set(['open', 'running', 'finishing']);

export function startWallClockTicks(deps: WallClockDeps, opts: { everyMs?: number } = {}): { stop(): void } {
  const now = deps.now ?? Date.now;
  let writing = false;
  const timer = setInterval(() => {
    if (writing || !deps.ticking()) return;
    const atUs = now() * 1000;
    writing = true;
    void deps.write({ kind: 'tick', atUs }, `tick:${Math.floor(atUs / 1_000_000)}`).finally(() => (writing = false));
  }, opts.everyMs ?? 1000);
  return { stop: () => clearInterval(timer) };
}
