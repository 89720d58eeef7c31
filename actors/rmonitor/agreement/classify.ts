import type { BoardKind, Placing } from './board.ts';
import type { Cause } from './tally.ts';

/** The emission tolerance: a row may show our board as it was up to this many crossings earlier or later. */
export const LAG_CROSSINGS = 3;

/** What is known about a disagreeing row when it is classified (tally.ts, CAUSES, says what each cause means). */
export interface RowFacts {
  inDumpBlock: boolean;
  /** The car is not an entry of the session. */
  unknownCar: boolean;
  /** The row's position is beyond the number of cars in the session. */
  beyondField: boolean;
  /** The car's row differs from ours by what the program changed without a passing of the car. */
  ownEdit: boolean;
  /** The row's race time is a crossing of the car the feed never sent. */
  ownMissingPassing: boolean;
  /** Our placing of the car with the program's edited rows (resp. crossings we never got) of other cars applied. */
  withEdits?: Placing;
  withMissingPassings?: Placing;
  /** Our placings of the car on the boards within `LAG_CROSSINGS` crossings of the row. */
  nearby: Placing[];
}

export function classify(kind: BoardKind, program: Placing, facts: RowFacts): Cause {
  const same = (p: Placing) => samePlacing(kind, program, p);
  if (facts.inDumpBlock) return 'refresh';
  if (facts.unknownCar) return 'other-run';
  if (facts.beyondField) return 'beyond-field';
  if (facts.ownEdit || (facts.withEdits && same(facts.withEdits))) return 'edit';
  if (facts.ownMissingPassing || (facts.withMissingPassings && same(facts.withMissingPassings))) return 'missing-passing';
  if (facts.nearby.some(same)) return 'lag';
  return 'rule';
}

/** Same position and value. */
export function samePlacing(kind: BoardKind, a: Placing, b: Placing): boolean {
  return a.position === b.position && sameValue(kind, a.value, b.value);
}

/** Laps exactly; best laps within 1 ms (the program's rounding of its own times differs by one, crossing.ts). */
export function sameValue(kind: BoardKind, a: number | undefined, b: number | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return kind === 'race' ? a === b : Math.abs(a - b) <= 1;
}
