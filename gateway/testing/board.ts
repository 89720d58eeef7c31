import type { Page } from 'playwright-core';
import type { Test } from 'tap';
import type { SessionView } from '../../actors/contracts/view.ts';
import { flagName, formatClock, formatGained, formatGap, formatLap, formatPenalty, formatRemaining } from '../page/format.ts';

/** What the spectator page shows, read in one synchronous step together with the page's own seq and view. */
export interface Board {
  seq: string | undefined;
  clientSeq: number | undefined;
  view: SessionView | undefined;
  /** The class names the page had from the declaration, by class id (none: it shows ids). */
  classNames: Record<string, string>;
  rows: { car: string | undefined; cells: string[] }[];
  header: { flag: string; clock: string; remaining: string };
}

/** Column of each cell in a board row. */
export const BOARD_COLUMNS = ['position', 'number', 'name', 'class', 'laps', 'last', 'best', 'gap', 'interval', 'pit', 'gained', 'penalty'] as const;

/**
 * What the board should show for a view in its default mode (overall, by position), row by row, as the page's cells
 * read; `classNames` maps class ids to the declared names (ids are shown without one).
 */
export const expectedRows = (view: SessionView, classNames: Record<string, string> = {}) =>
  view.rows.map((r) => ({
    car: r.number,
    cells: [String(r.position), r.number, r.name, classNames[r.class] ?? r.class, String(r.laps), formatLap(r.lastLapUs), formatLap(r.bestLapUs),
      formatGap(r.gapUs, r.gapLaps), formatGap(r.intervalUs, r.intervalLaps),
      r.pit ? 'PIT' : r.status === 'dnf' || r.status === 'dsq' || r.status === 'dns' ? r.status.toUpperCase() : r.pitStops ? String(r.pitStops) : '',
      formatGained(r.positionsGained), formatPenalty(r.penaltyUs)],
  }));

/**
 * The board, the page's seq and view in one synchronous read: consistent with each other. (No named functions
 * inside: tsx adds `__name` calls to them, which do not exist in the page.)
 */
export const readBoard = (page: Page) =>
  page.evaluate((): Board => {
    const table = document.getElementById('board') as HTMLTableElement;
    const [flag, clock, remaining] = ['flag', 'clock', 'remaining'].map((id) => document.getElementById(id)?.textContent ?? '');
    return {
      seq: table.dataset.seq,
      clientSeq: window.pitwall?.seq(),
      view: window.pitwall?.view(),
      classNames: window.pitwall?.classNames?.() ?? {},
      rows: Array.from(table.tBodies[0]?.rows ?? [], (tr) => ({ car: tr.dataset.car, cells: Array.from(tr.cells, (td) => td.textContent ?? '') })),
      header: { flag: flag ?? '', clock: clock ?? '', remaining: remaining ?? '' },
    };
  });

/** Asserts that the board shows exactly the page's view at the page's seq. */
export function checkBoardConsistent(t: Test, board: Board, what: string, classNames: Record<string, string> = board.classNames): void {
  t.ok(board.view, `${what}: the page has a view`);
  if (!board.view) return;
  t.equal(board.seq, String(board.clientSeq), `${what}: data-seq is the seq of the page's view`);
  t.same(board.rows, expectedRows(board.view, classNames), `${what}: rows match the view at seq ${board.seq}`);
  t.same(board.header, {
    flag: flagName(board.view.flag, board.view.sectors),
    clock: formatClock(board.view.clockUs),
    remaining: formatRemaining(board.view.remainingUs, board.view.remainingLaps),
  }, `${what}: flag and clock`);
}
