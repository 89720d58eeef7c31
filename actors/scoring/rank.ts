import { type CarScore, type NoBestLapOrder, optionsOf, type ScoringState } from './state.ts';

interface Ranked {
  number: string;
  index: number;
  car: CarScore | undefined;
}

/**
 * The order of the board, leader first. Only declared entries are ranked (a car dropped from the entries leaves it).
 * - Race (SCORING-NOTES §10–12): laps descending, then elapsed time (last counted crossing + time penalties)
 *   ascending; exact ties rank the passing received first ahead; cars without a timed crossing follow the timed cars
 *   with the same laps in declared order (rule 12: the order the program first lists them; it lists cars that cross
 *   before the clock started, rule 2, as they cross — and a car it lists without a crossing where it lists it, as the
 *   2025 captures show). Disqualified cars last.
 * - Practice and qualifying (§15–16): best lap ascending, ties broken by the second-best lap; cars without a best lap
 *   after, by laps, last crossing and number (option `noBestLapOrder` 'laps') or by number ('number').
 * - Mode follow: the official program's positions (`program` inputs), cars it has not placed after, in the order above.
 */
export function rank(state: ScoringState): string[] {
  const rows = rowsOf(state);
  const compare = orderOf(state);
  rows.sort(compare);
  return rows.map((r) => r.number);
}

/**
 * Where `number` stands in `rank(state)` (1 = leader), or undefined when it is not a declared entry. The same order,
 * without sorting the board: the cars ranked ahead of it are counted (the order is total, ties broken by declared
 * order). A lap asks this at every passing, where a full sort of the board was most of a long race's fold.
 */
export function positionOf(state: ScoringState, number: string): number | undefined {
  const rows = rowsOf(state);
  const me = rows.find((r) => r.number === number);
  if (!me) return undefined;
  const compare = orderOf(state);
  let ahead = 0;
  for (const r of rows) if (r !== me && compare(r, me) < 0) ahead++;
  return ahead + 1;
}

const rowsOf = (state: ScoringState): Ranked[] =>
  (state.declared?.entries ?? []).map((entry, index) => ({ number: entry.number, index, car: state.cars[entry.number] }));

/** The board's order as a total comparison: the session's rule, then declared order. */
function orderOf(state: ScoringState): Compare {
  const options = optionsOf(state);
  const race = (state.declared?.type ?? 'race') === 'race';
  const own = race ? raceOrder : bestLapOrder(options.noBestLapOrder);
  const compare = options.mode === 'follow' ? followOrder(race, own) : own;
  return (a, b) => compare(a, b) || a.index - b.index;
}

type Compare = (a: Ranked, b: Ranked) => number;

const dsq = (c: CarScore | undefined) => (c?.status === 'dsq' ? 1 : 0);
export const elapsedOf = (c: CarScore): number | undefined => (c.lastAtUs === undefined ? undefined : c.lastAtUs + (c.penaltyUs ?? 0));

const raceOrder: Compare = ({ car: a }, { car: b }) => {
  const disq = dsq(a) - dsq(b);
  if (disq !== 0) return disq;
  const laps = (b?.laps ?? 0) - (a?.laps ?? 0);
  if (laps !== 0) return laps;
  const ta = a && elapsedOf(a);
  const tb = b && elapsedOf(b);
  if ((ta === undefined) !== (tb === undefined)) return ta === undefined ? 1 : -1;
  if (ta !== undefined && tb !== undefined) return ta - tb || (a!.lastArrival ?? 0) - (b!.lastArrival ?? 0);
  return 0;
};

function bestLapOrder(noBest: NoBestLapOrder): Compare {
  return (x, y) => {
    const { car: a } = x;
    const { car: b } = y;
    const disq = dsq(a) - dsq(b);
    if (disq !== 0) return disq;
    const ba = a?.bestLapUs;
    const bb = b?.bestLapUs;
    if ((ba === undefined) !== (bb === undefined)) return ba === undefined ? 1 : -1;
    if (ba !== undefined && bb !== undefined) {
      if (ba !== bb) return ba - bb;
      const sa = a?.secondBestLapUs ?? Infinity;
      const sb = b?.secondBestLapUs ?? Infinity;
      return sa === sb ? 0 : sa < sb ? -1 : 1;
    }
    if (noBest === 'laps') {
      const laps = (b?.laps ?? 0) - (a?.laps ?? 0);
      if (laps !== 0) return laps;
      const la = a?.lastAtUs;
      const lb = b?.lastAtUs;
      if ((la === undefined) !== (lb === undefined)) return la === undefined ? 1 : -1;
      if (la !== undefined && lb !== undefined && la !== lb) return la - lb;
    }
    return byNumber(x.number, y.number);
  };
}

/** Car numbers numerically where both are numbers ("05" and "5" equal as numbers: then as strings). */
function byNumber(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (Number.isFinite(na) && Number.isFinite(nb) && na !== nb) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

function followOrder(race: boolean, own: Compare): Compare {
  const position = (c: CarScore | undefined) => (race ? c?.programPosition : c?.programBestPosition ?? c?.programPosition);
  return (a, b) => {
    const pa = position(a.car);
    const pb = position(b.car);
    if ((pa === undefined) !== (pb === undefined)) return pa === undefined ? 1 : -1;
    if (pa !== undefined && pb !== undefined && pa !== pb) return pa - pb;
    return own(a, b);
  };
}
