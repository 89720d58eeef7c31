import type { BoardKind, Placing } from './board.ts';

/**
 * Why a program row (`$G`/`$H`) disagrees with independent scoring (docs/scoring-accuracy.md). Every disagreement
 * gets exactly one cause, so the counts add up to the gap. Checked in this order:
 * - `refresh`: the row is part of a dump block (the file start or an `$I` up to the next `$J`): the program re-sends
 *   its board, first with empty laps and zero times.
 * - `other-run`: the row names a car that is not an entry of this session (a car of another run).
 * - `beyond-field`: the row's position is beyond the number of cars in the session.
 * - `edit`: the program changed the car's laps, time or best lap without a passing (`$J`) of the car: an edit made in
 *   the scoring program (deleted or reassigned passing, lap adjustment, penalty, invalidated best lap), or the
 *   row agrees once such edits of any car are applied to our board.
 * - `missing-passing`: the row's race time is a crossing of the car that the feed never sent as `$J`, or the row
 *   agrees once such crossings are applied to our board.
 * - `lag`: the row agrees with our board as it was a few crossings earlier or later (the emission tolerance,
 *   `LAG_CROSSINGS`): the program sends rows of cars that moved after other records.
 * - `rule`: none of the above — scoring itself disagrees.
 */
export const CAUSES = ['refresh', 'other-run', 'beyond-field', 'edit', 'missing-passing', 'lag', 'rule'] as const;
export type Cause = (typeof CAUSES)[number];

/** Feed noise and input the feed does not carry: set aside for the "explained" figure. Only `rule` remains. */
export const NOISE_CAUSES: readonly Cause[] = ['refresh', 'other-run', 'beyond-field', 'edit', 'missing-passing', 'lag'];

export interface Disagreement {
  line: number;
  board: BoardKind;
  car: string;
  program: Placing;
  ours: Placing | undefined;
  answering: boolean;
  cause: Cause;
}

export interface BoardTally {
  /** Rows compared. */
  records: number;
  positionAgree: number;
  valueAgree: number;
  /** Position and value (laps, best lap) both agree. */
  agree: number;
  /** Answering rows: a car's first row after its own `$J`. */
  answering: number;
  answeringAgree: number;
  causes: Record<Cause, number>;
  answeringCauses: Record<Cause, number>;
  /** The first disagreement of each cause. */
  examples: Partial<Record<Cause, Disagreement>>;
}

export function emptyTally(): BoardTally {
  const zero = () => Object.fromEntries(CAUSES.map((c) => [c, 0])) as Record<Cause, number>;
  return { records: 0, positionAgree: 0, valueAgree: 0, agree: 0, answering: 0, answeringAgree: 0, causes: zero(), answeringCauses: zero(), examples: {} };
}

/** Counts one compared row; `cause` is absent when it agrees. */
export function count(tally: BoardTally, row: { positionAgrees: boolean; valueAgrees: boolean; answering: boolean }, disagreement?: Disagreement): void {
  tally.records++;
  if (row.positionAgrees) tally.positionAgree++;
  if (row.valueAgrees) tally.valueAgree++;
  if (row.answering) tally.answering++;
  if (!disagreement) {
    tally.agree++;
    if (row.answering) tally.answeringAgree++;
    return;
  }
  tally.causes[disagreement.cause]++;
  if (row.answering) tally.answeringCauses[disagreement.cause]++;
  tally.examples[disagreement.cause] ??= disagreement;
}

/** Sums tallies (captures taken together). Examples: the first one's. */
export function addTallies(tallies: BoardTally[]): BoardTally {
  const sum = emptyTally();
  for (const t of tallies) {
    for (const key of ['records', 'positionAgree', 'valueAgree', 'agree', 'answering', 'answeringAgree'] as const) sum[key] += t[key];
    for (const c of CAUSES) {
      sum.causes[c] += t.causes[c];
      sum.answeringCauses[c] += t.answeringCauses[c];
      sum.examples[c] ??= t.examples[c];
    }
  }
  return sum;
}
