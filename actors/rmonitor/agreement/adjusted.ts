import type { SessionView } from '../../contracts/view.ts';
import type { Board, Placing } from './board.ts';

/** A car's laps and race time at its last crossing as the program's latest row has them. */
export interface ProgramCar {
  laps: number;
  timeUs: number;
}

/**
 * Our race order with some cars taken as the program has them (`overrides`): laps descending, then time of the last
 * crossing ascending, else our race order (`race`). Answers "would this row agree if we knew what the program knows
 * about those cars?" — for edits and crossings the feed never sent.
 */
export function placingWith(view: SessionView, race: Board, overrides: ReadonlyMap<string, ProgramCar>, car: string): Placing | undefined {
  const rows = view.rows.map((r) => {
    const o = overrides.get(r.number);
    return { number: r.number, position: race.get(r.number)?.position ?? Infinity, laps: o ? o.laps : r.laps, timeUs: o ? o.timeUs : r.elapsedUs };
  });
  rows.sort((a, b) => b.laps - a.laps || time(a.timeUs) - time(b.timeUs) || a.position - b.position);
  const at = rows.findIndex((r) => r.number === car);
  return at < 0 ? undefined : { position: at + 1, value: rows[at]!.laps };
}

const time = (us: number | undefined) => us ?? Infinity;
