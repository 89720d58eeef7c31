import type { SessionInput } from '../contracts/events.ts';
import { creditLap } from './lap.ts';
import type { Reduced } from './reduce.ts';
import { markSeen } from './seen-readings.ts';
import { type CarScore, classOf, minLapOf, type Rejected, type ScoringState } from './state.ts';
import { clocked, rejected } from './step.ts';

type Passing = Extract<SessionInput, { kind: 'passing' }>;

/**
 * One passing of the start/finish line, in this order of checks:
 * 1. a reading already applied (same device, boot, seq) changes nothing but the `duplicate` counter;
 * 2. a car number not in the entries counts no lap (`unknownCar`), and changes nothing else;
 * 3. otherwise the clock advances, and the passing credits one lap unless: the session has not started, the car
 *    took the checkered flag or the session is finished, the red flag is out (no laps credited; the next lap is timed
 *    from the last counted crossing), it is not after the car's last counted crossing (a late re-send), or the lap is
 *    shorter than the minimum (a double read).
 *
 * First crossing — the choice: a car's first crossing after the start completes lap 1, timed from the session
 * start. There is no separate lap-0 crossing: a car crossing the line at the start itself (rolling start, or a grid
 * behind the line) does so within the minimum lap of the start, so that crossing is discarded as a short lap and
 * lap 1 still runs from the start. Passings before the start count nothing.
 *
 * Finish: lap-based — the leader completing the declared laps takes the checkered flag; time-based — the leader's
 * first crossing once the time has expired does (cars crossing before it still get that lap). After the checkered,
 * each car's first crossing later than it completes its race, and its later crossings are ignored.
 */
export function scorePassing(before: ScoringState, passing: Passing): Reduced {
  const seen = markSeen(before.seen, passing.reading);
  if (!seen) return { state: rejected(before, 'duplicate'), laps: [] };
  return countPassing({ ...before, seen }, passing);
}

/** Checks 2 and 3 above, for a passing already past the dedupe (a passing edit folds kept passings again). */
export function countPassing(before: ScoringState, passing: { atUs: number; car: string }): Reduced {
  const entry = before.declared?.entries.find((e) => e.number === passing.car);
  if (!entry) return { state: rejected(before, 'unknownCar'), laps: [] };

  const state: ScoringState = { ...clocked(before, passing.atUs), arrivals: before.arrivals + 1 };
  const car: CarScore = state.cars[passing.car] ?? { laps: 0 };
  const { startUs } = state;
  if (startUs === undefined || state.phase === 'scheduled' || state.phase === 'open') return none(state, 'beforeStart');
  if (state.phase === 'finished' || state.phase === 'official' || car.finished) return none(state, 'afterFinish');
  if (state.flag === 'red') return none(state, 'redFlag');
  if (car.lastAtUs === undefined && passing.atUs < startUs) return none(state, 'beforeStart');
  const lapUs = passing.atUs - (car.lastAtUs ?? startUs);
  if (car.lastAtUs !== undefined && lapUs <= 0) return none(state, 'outOfOrder');
  if (lapUs < minLapOf(state)) return none(state, 'shortLap');

  return creditLap(state, { car: passing.car, class: classOf(state, passing.car, entry.class), atUs: passing.atUs, lapUs, added: 1 });
}

function none(state: ScoringState, reason: keyof Rejected): Reduced {
  return { state: rejected(state, reason), laps: [] };
}
