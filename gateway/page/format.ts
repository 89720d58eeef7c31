/**
 * Times as timing screens show them: lap times `1:32.456`, gaps `+1.234` or `+2 laps`, clocks `mm:ss`.
 * Thousandths are truncated, never rounded up (a 1:32.4569 lap is 1:32.456), as on timing screens.
 */

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** `59.123`, `1:32.456`, `1:02:03.456`. */
export function formatLap(us: number | undefined): string {
  if (us === undefined) return '';
  const ms = Math.floor(us / 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor(ms / 60_000) % 60;
  const s = Math.floor(ms / 1000) % 60;
  const frac = `${pad(s, h || m ? 2 : 1)}.${pad(ms % 1000, 3)}`;
  if (h) return `${h}:${pad(m, 2)}:${frac}`;
  return m ? `${m}:${frac}` : frac;
}

/** A race time as an official types it — `92.5`, `1:32.456`, `1:02:03.456` — in ms; undefined if it is none. */
export function parseRaceTime(text: string): number | undefined {
  const parts = text.trim().split(':');
  if (parts.length > 3 || !/^\d+(\.\d{1,3})?$/.test(parts[parts.length - 1]!) || parts.slice(0, -1).some((p) => !/^\d+$/.test(p))) return undefined;
  if (parts.slice(1).some((p) => Number(p) >= 60)) return undefined;
  const seconds = parts.reduce((total, part) => total * 60 + Number(part), 0);
  return Math.round(seconds * 1000);
}

/** `+1.234`, `+1:02.345`, `+1 lap`, `+2 laps`; empty for the leader (neither given). */
export function formatGap(us: number | undefined, laps: number | undefined): string {
  if (laps !== undefined && laps > 0) return `+${laps} ${laps === 1 ? 'lap' : 'laps'}`;
  if (us !== undefined) return `+${formatLap(us)}`;
  return '';
}

/** A session clock: `mm:ss`, or `h:mm:ss` from an hour on. */
export function formatClock(us: number): string {
  const total = Math.max(0, Math.floor(us / 1_000_000));
  const h = Math.floor(total / 3600);
  const m = Math.floor(total / 60) % 60;
  const s = total % 60;
  return h ? `${h}:${pad(m, 2)}:${pad(s, 2)}` : `${pad(m, 2)}:${pad(s, 2)}`;
}

/** What is left: `12:34 to go`, `5 laps to go`, `1 lap to go`, or empty when the session sets neither. */
export function formatRemaining(remainingUs: number | undefined, remainingLaps: number | undefined): string {
  if (remainingLaps !== undefined) return `${remainingLaps} ${remainingLaps === 1 ? 'lap' : 'laps'} to go`;
  if (remainingUs !== undefined) return `${formatClock(remainingUs)} to go`;
  return '';
}

const FLAG_NAMES: Record<string, string> = {
  none: 'No flag', green: 'Green flag', yellow: 'Local yellow', fcy: 'Full-course yellow', 'safety-car': 'Safety car',
  'code-60': 'Code 60', red: 'Red flag', white: 'White flag: last lap', checkered: 'Chequered flag',
};

/** The flag in words (colour is never the only signal): `Green flag`, `Local yellow S2, S5`. */
export function flagName(flag: string, sectors?: number[]): string {
  const name = FLAG_NAMES[flag] ?? flag;
  return sectors?.length ? `${name} S${sectors.join(', S')}` : name;
}

/** Positions gained since the grid: `+3`, `−2` (a minus sign), `0`; empty when unknown. */
export function formatGained(gained: number | undefined): string {
  if (gained === undefined) return '';
  return gained > 0 ? `+${gained}` : gained < 0 ? `−${-gained}` : '0';
}

/** A time penalty: `+5.000`; empty without one. */
export function formatPenalty(us: number | undefined): string {
  return us ? `+${formatLap(us)}` : '';
}
