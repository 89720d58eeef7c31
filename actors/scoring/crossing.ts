import type { TimedCrossing } from '../contracts/events.ts';
import { withBest } from './best-lap.ts';
import { creditLap } from './lap.ts';
import type { Reduced } from './reduce.ts';
import { type CarScore, classOf, minLapOf, type Rejected, type ScoringState } from './state.ts';
import { clocked, rejected } from './step.ts';

/** Times from a scoring program are in ms; its own rounding may differ by one. */
const SAME_US = 1_000;
const near = (a: number, b: number) => Math.abs(a - b) <= SAME_US;

/**
 * A passing timed by a scoring program (RMonitor `$J`: race time and lap time), SCORING-NOTES rules 1–9:
 * 1. lap time 0 is the first crossing (lap 0): it sets the race time and adds no lap; a re-sent lap 0 corrects it;
 * 2. race time 0 came before the session clock started: no lap, no time;
 * 4. the same race time as the last counted crossing is not a lap (red flag, after the checkered);
 * 6. older than the last counted crossing: a re-send, ignored (unless it re-times the last lap, rule 5);
 * 9. the car took the checkered, or the red flag is out: no lap;
 * 8. a lap shorter than the minimum is a double read: discarded;
 * 5. a lap starting where the last counted lap started re-times it: laps unchanged, time replaced;
 * 3. a lap starting at the last counted crossing (or at the session start for the first) adds one lap;
 * 7. a lap starting later than the last known crossing means missed passings: round(gap ÷ lap time) more laps.
 * A first lap starting before the car's lap-0 crossing (a standing start timed from the flag) adds one lap; in practice
 * and qualifying, so does the first lap of a car with no crossing known before it.
 */
export function scoreCrossing(before: ScoringState, input: TimedCrossing): Reduced {
  const entry = before.declared?.entries.find((e) => e.number === input.car);
  if (!entry) return none(before, 'unknownCar');
  const state: ScoringState = { ...clocked(before, input.atUs), arrivals: before.arrivals + 1 };
  const car: CarScore = state.cars[input.car] ?? { laps: 0 };
  if (state.phase === 'finished' || state.phase === 'official') return none(state, 'afterFinish');
  if (input.raceUs <= 0) return none(state, 'clockNotStarted');
  const last = car.lastAtUs;
  if (input.lapUs === 0) {
    if (car.laps !== 0 || car.prevAtUs !== undefined) {
      return none(state, 'outOfOrder');
    }
    return { state: put(state, input.car, { ...car, lastAtUs: input.atUs, lastArrival: state.arrivals }), laps: [] };
  }
  if (last !== undefined && input.atUs === last) return none(state, 'sameTime');
  const lapStart = input.atUs - input.lapUs;
  // A re-timing may move the crossing earlier (rule 5 before rule 6): it is not a re-send of an older passing.
  const retiming = car.prevAtUs !== undefined && near(lapStart, car.prevAtUs);
  if (last !== undefined && input.atUs < last && !retiming) return none(state, 'outOfOrder');
  if (car.finished) return none(state, 'afterFinish');
  if (state.flag === 'red') return none(state, 'redFlag');
  if (input.lapUs < minLapOf(state)) return none(state, 'shortLap');

  if (retiming) return retimed(state, input, car);
  const base = last ?? input.atUs - input.raceUs;
  let added: number;
  if (near(lapStart, base)) added = 1;
  // Practice and qualifying: cars go out when they like, so a first lap with no crossing known before it followed
  // a lap-0 crossing the feed did not send — one lap, not laps missed since the session start.
  else if (last === undefined && state.declared?.type !== 'race') added = 1;
  else if (lapStart > base) added = 1 + Math.round((lapStart - base) / input.lapUs);
  else if (car.laps === 0 && car.prevAtUs === undefined) added = 1;
  else return none(state, 'outOfOrder');
  return creditLap(state, { car: input.car, class: classOf(state, input.car, entry.class), atUs: input.atUs, lapUs: input.lapUs, added });
}

/** Rule 5: the last passing re-timed (or deleted and replaced): same laps, new time; a best lap it set is replaced. */
function retimed(state: ScoringState, input: TimedCrossing, car: CarScore): Reduced {
  const next: CarScore = { ...car, lastAtUs: input.atUs, lastLapUs: input.lapUs, lastArrival: state.arrivals };
  if (car.lastEligible && car.bestLapNumber === car.laps) {
    // The replaced lap was the best: the new time replaces it (the second best stays as it was).
    const { bestLapUs: _b, bestLapNumber: _n, ...rest } = next;
    const { secondBestLapUs: second, ...base } = rest;
    const replaced: CarScore = { ...base, ...withBest(second === undefined ? base : { ...base, bestLapUs: second }, input.lapUs, car.laps) };
    return { state: rejected(put(state, input.car, replaced), 'retimed'), laps: [] };
  }
  return { state: rejected(put(state, input.car, next), 'retimed'), laps: [] };
}

const put = (state: ScoringState, number: string, car: CarScore): ScoringState => ({ ...state, cars: { ...state.cars, [number]: car } });

function none(state: ScoringState, reason: keyof Rejected): Reduced {
  return { state: rejected(state, reason), laps: [] };
}
