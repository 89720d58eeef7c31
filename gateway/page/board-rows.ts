import type { SessionView, StandingRow } from '../../actors/contracts/view.ts';

/**
 * Which rows a board shows, in which order, with which position, gap and interval: the whole field by position
 * (overall), one class by class position with the class's gaps, or either sorted by best lap. Pure, so the page and
 * its tests agree on what "by class" and "by best lap" mean.
 */
export interface BoardMode {
  /** A class id: only that class, with class positions, gaps and intervals. Absent: overall. */
  classId?: string;
  sort: 'position' | 'best';
}

export interface ShownRow {
  row: StandingRow;
  position: number;
  gapUs?: number;
  gapLaps?: number;
  intervalUs?: number;
  intervalLaps?: number;
  /** Whose best the car's best lap is: the session's, its class's, or just its own. */
  best?: 'overall' | 'class';
  /** The last lap was the car's personal best (or better: the class's or the session's). */
  lastBest?: 'overall' | 'class' | 'personal';
}

const byBest = (a: StandingRow, b: StandingRow) =>
  (a.bestLapUs ?? Infinity) - (b.bestLapUs ?? Infinity) || a.position - b.position;

export function boardRows(view: SessionView, mode: BoardMode): ShownRow[] {
  let overallBest = Infinity;
  const classBest = new Map<string, number>();
  for (const r of view.rows) {
    if (r.bestLapUs === undefined) continue;
    overallBest = Math.min(overallBest, r.bestLapUs);
    classBest.set(r.class, Math.min(classBest.get(r.class) ?? Infinity, r.bestLapUs));
  }
  const bestOf = (us: number | undefined, row: StandingRow) =>
    us === undefined ? undefined : us === overallBest ? 'overall' : us === classBest.get(row.class) ? 'class' : undefined;

  const inClass = mode.classId !== undefined;
  const rows = inClass ? view.rows.filter((r) => r.class === mode.classId) : [...view.rows];
  if (mode.sort === 'best') rows.sort(byBest);
  return rows.map((row) => {
    const shown: ShownRow = inClass
      ? { row, position: row.classPosition, gapUs: row.classGapUs, gapLaps: row.classGapLaps, intervalUs: row.classIntervalUs, intervalLaps: row.classIntervalLaps }
      : { row, position: row.position, gapUs: row.gapUs, gapLaps: row.gapLaps, intervalUs: row.intervalUs, intervalLaps: row.intervalLaps };
    const best = bestOf(row.bestLapUs, row);
    if (best) shown.best = best;
    if (row.lastLapUs !== undefined && row.lastLapUs === row.bestLapUs) shown.lastBest = best ?? 'personal';
    return shown;
  });
}

/** The classes present in a view, in order of first appearance (for the class chooser). */
export const classesIn = (view: SessionView) => [...new Set(view.rows.map((r) => r.class))];
