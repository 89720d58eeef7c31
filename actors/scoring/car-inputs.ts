import type {
  CarStatusInput, ClassChange, LapCorrection, LapSeed, LineCrossing, PenaltyInput, ProgramPosition,
} from '../contracts/events.ts';
import type { Reduced } from './reduce.ts';
import type { CarScore, ScoringState } from './state.ts';
import { clocked, rejected } from './step.ts';

export type CarInput = LapSeed | LineCrossing | PenaltyInput | LapCorrection | ClassChange | CarStatusInput | ProgramPosition;

/**
 * Inputs about one car that are not start/finish passings: seeds (a feed joined mid-session), pit-lane lines,
 * race control's penalties, lap corrections, class changes and car status, and the official program's positions.
 * A car not in the entries is counted (`unknownCar`) and changes nothing.
 */
export function carInput(before: ScoringState, input: CarInput): Reduced {
  if (!before.declared?.entries.some((e) => e.number === input.car)) return { state: rejected(before, 'unknownCar'), laps: [] };
  const state = clocked(before, input.atUs);
  const car: CarScore = state.cars[input.car] ?? { laps: 0 };
  const next = apply(state, car, input);
  return { state: next === car ? state : { ...state, cars: { ...state.cars, [input.car]: next } }, laps: [] };
}

function apply(state: ScoringState, car: CarScore, input: CarInput): CarScore {
  switch (input.kind) {
    case 'seed': {
      // The program's laps and race time at joining; never moves a car back in time.
      if (car.lastAtUs !== undefined && input.atUs < car.lastAtUs) return car;
      const { prevAtUs: _p, ...rest } = car;
      return { ...rest, laps: input.laps, lastAtUs: input.atUs, lastArrival: state.arrivals };
    }
    case 'line':
      return pitLine(car, input);
    case 'penalty': {
      const next = { ...car };
      if (input.timeUs) next.penaltyUs = (car.penaltyUs ?? 0) + input.timeUs;
      if (input.laps) next.laps = car.laps - input.laps;
      if (input.type === 'dsq') next.status = 'dsq';
      return next;
    }
    case 'correction':
      return input.laps === 0 ? car : { ...car, laps: car.laps + input.laps };
    case 'class':
      return car.class === input.class ? car : { ...car, class: input.class };
    case 'status': {
      if (input.status === 'running') {
        const { status: _s, ...rest } = car;
        return rest;
      }
      return { ...car, status: input.status };
    }
    case 'program':
      return input.board === 'race' ? { ...car, programPosition: input.position } : { ...car, programBestPosition: input.position };
  }
}

/** Pit-in starts a stop; pit-out ends it (stops and time in the pit lane); both mark the lap as an in-/out-lap. */
function pitLine(car: CarScore, input: LineCrossing): CarScore {
  switch (input.loop) {
    case 'pit-in':
      return car.inPit ? car : { ...car, inPit: true, pitInAtUs: input.atUs, pitLap: true };
    case 'pit-out': {
      const { inPit: _i, pitInAtUs, ...rest } = car;
      if (!car.inPit || pitInAtUs === undefined) return { ...rest, pitLap: true };
      return {
        ...rest,
        pitLap: true,
        pitStops: (car.pitStops ?? 0) + 1,
        pitTimeUs: (car.pitTimeUs ?? 0) + Math.max(0, input.atUs - pitInAtUs),
      };
    }
    case 'sf-pit':
      return car.pitLap ? car : { ...car, pitLap: true };
    case 'sf-track':
    case 'other':
      return car;
  }
}
