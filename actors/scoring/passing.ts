import type { LapEvent, SessionInput } from '../contracts/events.ts';
import { rank } from './rank.ts';
import type { Reduced } from './reduce.ts';
import { markSeen } from './seen-readings.ts';
import type { CarScore, Rejected, ScoringState } from './state.ts';
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
  const entry = before.declared?.entries.find((e) => e.number === passing.car);
  if (!entry) return { state: rejected({ ...before, seen }, 'unknownCar'), laps: [] };

  const state: ScoringState = { ...clocked(before, passing.atUs), seen, arrivals: before.arrivals + 1 };
  const car: CarScore = state.cars[passing.car] ?? { laps: 0 };
  const { startUs } = state;
  if (startUs === undefined || state.phase === 'scheduled' || state.phase === 'open') return none(state, 'beforeStart');
  if (state.phase === 'finished' || state.phase === 'official' || car.finished) return none(state, 'afterFinish');
  if (state.flag === 'red') return none(state, 'redFlag');
  if (car.lastAtUs === undefined && passing.atUs < startUs) return none(state, 'beforeStart');
  const lapUs = passing.atUs - (car.lastAtUs ?? startUs);
  if (car.lastAtUs !== undefined && lapUs <= 0) return none(state, 'outOfOrder');
  if (lapUs < state.minLapUs) return none(state, 'shortLap');

  const counted: CarScore = {
    laps: car.laps + 1,
    lastAtUs: passing.atUs,
    lastArrival: state.arrivals,
    lastLapUs: lapUs,
    bestLapUs: car.bestLapUs === undefined ? lapUs : Math.min(car.bestLapUs, lapUs),
  };
  if (state.checkeredAtUs !== undefined && passing.atUs > state.checkeredAtUs) counted.finished = true;
  let next: ScoringState = { ...state, cars: { ...state.cars, [passing.car]: counted } };
  const order = rank(next);
  if (next.checkeredAtUs === undefined && order[0] === passing.car && leaderFinishes(next, counted, passing.atUs - startUs)) {
    next = {
      ...next,
      phase: 'finishing',
      flag: 'checkered',
      checkeredAtUs: passing.atUs,
      cars: { ...next.cars, [passing.car]: { ...counted, finished: true } },
    };
  }
  const lap: LapEvent = {
    kind: 'lap',
    track: next.ref.track,
    event: next.ref.event,
    session: next.ref.session,
    car: passing.car,
    class: entry.class,
    lap: counted.laps,
    lapUs,
    raceUs: passing.atUs - startUs,
    atUs: passing.atUs,
    position: order.indexOf(passing.car) + 1,
    flag: next.flag,
    pit: false,
  };
  return { state: next, laps: [lap] };
}

function none(state: ScoringState, reason: keyof Rejected): Reduced {
  return { state: rejected(state, reason), laps: [] };
}

/** Does the leader, with this lap counted, complete the distance (laps), or cross after the time expired? */
function leaderFinishes(state: ScoringState, leader: CarScore, raceUs: number): boolean {
  const finish = state.declared?.finish;
  if (!finish) return false;
  if ('laps' in finish) return leader.laps >= finish.laps;
  return raceUs >= finish.timeMs * 1000;
}
