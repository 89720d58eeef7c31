import type { LapEvent } from '../contracts/events.ts';
import { eligible, withBest, withoutBest } from './best-lap.ts';
import { positionOf } from './rank.ts';
import type { Reduced } from './reduce.ts';
import { type CarScore, optionsOf, type ScoringState } from './state.ts';

/** One counted crossing: the car completes `added` laps (more than one when passings were missed, rule 7). */
export interface Credit {
  car: string;
  class: string;
  atUs: number;
  lapUs: number;
  added: number;
}

/**
 * Credits laps to a car and everything that follows from it: last and best lap (eligibility), pit in-/out-lap,
 * laps led, the checkered (the car's first crossing after it completes its race; the leader completing the distance,
 * or crossing after the time — then one more lap with `thenLeaderLap` — shows it when scoring owns the checkered),
 * and the lap event. `state.arrivals` must already count this crossing.
 */
export function creditLap(state: ScoringState, c: Credit): Reduced {
  const car: CarScore = state.cars[c.car] ?? { laps: 0 };
  const lap = car.laps + c.added;
  const pitLap = car.pitLap === true || car.inPit === true;
  let counted: CarScore = {
    ...withoutBest(car),
    laps: lap,
    lastAtUs: c.atUs,
    lastArrival: state.arrivals,
    lastLapUs: c.lapUs,
  };
  if (car.lastAtUs !== undefined) counted.prevAtUs = car.lastAtUs;
  else delete counted.prevAtUs;
  delete counted.lastEligible;
  delete counted.pitLap;
  if (counted.inPit) counted.pitLap = true; // still in the pit lane: the next lap is an out-lap
  if (eligible(state, car, lap)) {
    counted = { ...counted, ...withBest(car, c.lapUs, lap), lastEligible: true };
  } else {
    counted = { ...counted, ...bestOf(car) };
  }
  if (state.checkeredAtUs !== undefined && c.atUs > state.checkeredAtUs) counted.finished = true;

  let next: ScoringState = { ...state, cars: { ...state.cars, [c.car]: counted } };
  // 0 for a car that is not a declared entry (it is not ranked; `rank` gave it no place either).
  const position = positionOf(next, c.car) ?? 0;
  const leads = position === 1;
  if (leads) {
    counted = { ...counted, lapsLed: (counted.lapsLed ?? 0) + 1 };
    next = { ...next, cars: { ...next.cars, [c.car]: counted } };
  }
  const startUs = next.startUs ?? 0;
  if (next.checkeredAtUs === undefined && leads && optionsOf(next).autoCheckered) {
    const verdict = leaderFinishes(next, counted, c.atUs - startUs);
    if (verdict === 'final-lap') next = { ...next, finalLap: true };
    if (verdict === 'finish') {
      const { finalLap: _f, ...rest } = next;
      next = {
        ...rest,
        phase: 'finishing',
        flag: 'checkered',
        checkeredAtUs: c.atUs,
        cars: { ...next.cars, [c.car]: { ...counted, finished: true } },
      };
    }
  }
  const event: LapEvent = {
    kind: 'lap',
    track: next.ref.track,
    event: next.ref.event,
    session: next.ref.session,
    car: c.car,
    class: c.class,
    lap,
    lapUs: c.lapUs,
    raceUs: c.atUs - startUs,
    atUs: c.atUs,
    position,
    flag: next.flag,
    pit: pitLap,
  };
  return { state: next, laps: [event] };
}

const bestOf = (car: CarScore): Partial<CarScore> => {
  const out: Partial<CarScore> = {};
  if (car.bestLapUs !== undefined) out.bestLapUs = car.bestLapUs;
  if (car.bestLapNumber !== undefined) out.bestLapNumber = car.bestLapNumber;
  if (car.secondBestLapUs !== undefined) out.secondBestLapUs = car.secondBestLapUs;
  return out;
};

/** Does the leader, with this lap counted, complete the distance (laps), or cross after the time expired? */
function leaderFinishes(state: ScoringState, leader: CarScore, raceUs: number): 'no' | 'final-lap' | 'finish' {
  const finish = state.declared?.finish;
  if (!finish) return 'no';
  if ('laps' in finish) return leader.laps >= finish.laps ? 'finish' : 'no';
  if (state.finalLap) return 'finish';
  if (raceUs < finish.timeMs * 1000) return 'no';
  return finish.thenLeaderLap ? 'final-lap' : 'finish';
}
