import type { Flag } from '../contracts/flags.ts';
import type { CarScore, ScoringState } from './state.ts';

/**
 * Best lap (SCORING-NOTES §15–17). A lap is a best-lap candidate unless the session's declared eligibility excludes
 * it: ending under yellow (local, full course, safety car, code 60), lap 1, or an in-/out-lap (the lap touched the
 * pit lane). The best and second-best eligible laps are kept: best-lap order breaks ties with the second best.
 */
const YELLOWS: readonly Flag[] = ['yellow', 'fcy', 'safety-car', 'code-60'];

export function eligible(state: ScoringState, car: CarScore, lap: number): boolean {
  const rules = state.declared?.bestLap;
  if (!rules) return true;
  if (rules.excludeYellow && YELLOWS.includes(state.flag)) return false;
  if (rules.excludeLap1 && lap === 1) return false;
  if (rules.excludePit && (car.pitLap || car.inPit)) return false;
  return true;
}

/** The best-lap fields after an eligible lap `lapUs` numbered `lap`. */
export function withBest(car: CarScore, lapUs: number, lap: number): Pick<CarScore, 'bestLapUs' | 'bestLapNumber' | 'secondBestLapUs'> {
  const out: Pick<CarScore, 'bestLapUs' | 'bestLapNumber' | 'secondBestLapUs'> = {};
  if (car.bestLapUs === undefined || lapUs < car.bestLapUs) {
    out.bestLapUs = lapUs;
    out.bestLapNumber = lap;
    if (car.bestLapUs !== undefined) out.secondBestLapUs = car.bestLapUs;
    return out;
  }
  out.bestLapUs = car.bestLapUs;
  if (car.bestLapNumber !== undefined) out.bestLapNumber = car.bestLapNumber;
  const second = car.secondBestLapUs === undefined ? lapUs : Math.min(car.secondBestLapUs, lapUs);
  out.secondBestLapUs = second;
  return out;
}

/** `car` without its best-lap fields (before writing new ones). */
export function withoutBest(car: CarScore): CarScore {
  const { bestLapUs: _b, bestLapNumber: _n, secondBestLapUs: _s, ...rest } = car;
  return rest;
}
