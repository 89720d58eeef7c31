import type { Board } from './board.ts';

/**
 * Final-order agreement: the program's last board against ours at the session's end. The program's order is the
 * cars it placed, by the position of their last row; ours is our final order of the same cars. Cars only one side
 * has are listed, not compared.
 */
export interface FinalOrder {
  exact: boolean;
  cars: number;
  /** The first position where the orders differ, with the car each side has there. */
  firstDifference?: { position: number; program: string; ours: string };
  /** Entries the program never placed in this session. */
  unplaced: string[];
}

export function finalOrder(program: ReadonlyMap<string, number>, ours: Board): FinalOrder {
  const placed = [...program].filter(([car]) => ours.has(car));
  const programOrder = placed.sort((a, b) => a[1] - b[1]).map(([car]) => car);
  const ourOrder = [...ours].filter(([car]) => program.has(car)).sort((a, b) => a[1].position - b[1].position).map(([car]) => car);
  const unplaced = [...ours.keys()].filter((car) => !program.has(car));
  const at = programOrder.findIndex((car, i) => car !== ourOrder[i]);
  const result: FinalOrder = { exact: at < 0, cars: programOrder.length, unplaced };
  if (at >= 0) result.firstDifference = { position: at + 1, program: programOrder[at]!, ours: ourOrder[at]! };
  return result;
}
