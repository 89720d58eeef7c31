import type { CarStatus, StandingRow } from '../../actors/contracts/view.ts';
import type { ScoredSession } from './score-inputs.ts';

/**
 * The output of `pitwall score` (docs/score-output.schema.json): every field present, `null` where it does not
 * apply; times in integer milliseconds (µs rounded to the nearest ms).
 */
export interface ScoreOutput {
  sessions: ScoreOutputSession[];
}

export interface ScoreOutputSession {
  id: string;
  name: string;
  type: string;
  standings: ScoreStanding[];
}

export interface ScoreStanding {
  position: number;
  number: string;
  name: string;
  class: string;
  classPosition: number;
  laps: number;
  lastLapMs: number | null;
  bestLapMs: number | null;
  bestLapNumber: number | null;
  elapsedMs: number | null;
  gapMs: number | null;
  gapLaps: number | null;
  intervalMs: number | null;
  intervalLaps: number | null;
  status: CarStatus;
  penaltyMs: number;
}

const ms = (us: number | undefined): number | null => (us === undefined ? null : Math.round(us / 1000));

export function standing(row: StandingRow): ScoreStanding {
  return {
    position: row.position,
    number: row.number,
    name: row.name,
    class: row.class,
    classPosition: row.classPosition,
    laps: row.laps,
    lastLapMs: ms(row.lastLapUs),
    bestLapMs: ms(row.bestLapUs),
    bestLapNumber: row.bestLapNumber ?? null,
    elapsedMs: ms(row.elapsedUs),
    gapMs: ms(row.gapUs),
    gapLaps: row.gapLaps ?? null,
    intervalMs: ms(row.intervalUs),
    intervalLaps: row.intervalLaps ?? null,
    status: row.status ?? 'running',
    penaltyMs: ms(row.penaltyUs) ?? 0,
  };
}

export function scoreOutput(sessions: ScoredSession[]): ScoreOutput {
  return {
    sessions: sessions.map(({ id, view }) => ({ id, name: view.name, type: view.type, standings: view.rows.map(standing) })),
  };
}

/** A plain text table per session, for people. */
export function scoreTable(output: ScoreOutput): string {
  const lines: string[] = [];
  for (const s of output.sessions) {
    lines.push(`${s.id}  ${s.name}  (${s.type}, ${s.standings.length} cars)`);
    lines.push(['pos', 'no', 'class', 'cl', 'laps', 'last', 'best', 'gap', 'int', 'status'].map((h, i) => h.padStart(i === 2 ? 10 : 8)).join(''));
    for (const r of s.standings) {
      lines.push([
        String(r.position), r.number, r.class.slice(0, 10), String(r.classPosition), String(r.laps),
        time(r.lastLapMs), time(r.bestLapMs), behind(r.gapMs, r.gapLaps), behind(r.intervalMs, r.intervalLaps), r.status,
      ].map((c, i) => c.padStart(i === 2 ? 10 : 8)).join(''));
    }
    lines.push('');
  }
  return lines.join('\n');
}

function time(value: number | null): string {
  if (value === null) return '';
  const m = Math.floor(value / 60_000);
  const s = ((value % 60_000) / 1000).toFixed(3).padStart(6, '0');
  return m > 0 ? `${m}:${s}` : s;
}

function behind(msValue: number | null, laps: number | null): string {
  if (laps !== null) return `${laps}L`;
  return msValue === null ? '' : `+${(msValue / 1000).toFixed(3)}`;
}
