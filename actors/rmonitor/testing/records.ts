import type { RmonRecord } from '../../contracts/rmonitor.ts';

/** RMonitor records for tests, times in seconds of race time (the codec's own tests use real lines). */
export const A = (regNo: string, classId: number, name = `Team ${regNo}`, transponder = ''): RmonRecord =>
  ({ type: 'A', regNo, number: regNo, transponder, firstName: name, lastName: '', nationality: '', classId });
export const C = (classId: number, description: string): RmonRecord => ({ type: 'C', classId, description });
export const B = (run: number, description: string): RmonRecord => ({ type: 'B', run, description });
export const F = (raceS: number, flag: 'green' | 'finish' | 'none' = 'green'): RmonRecord => ({
  type: 'F', lapsToGo: 9999, timeToGo: '', timeToGoUs: null, timeOfDay: '', timeOfDayUs: 36_000_000_000 + raceS * 1e6,
  raceTime: '', raceUs: raceS * 1e6, flag, flagRaw: flag,
});
export const G = (position: number, regNo: string, laps: number | null, raceS: number): RmonRecord =>
  ({ type: 'G', position, regNo, laps, totalTime: '', raceUs: Math.round(raceS * 1e6) });
export const H = (position: number, regNo: string, bestLapS: number | null): RmonRecord =>
  ({ type: 'H', position, regNo, bestLap: null, bestLapTime: '', lapUs: bestLapS === null ? 0 : Math.round(bestLapS * 1e6) });
export const J = (regNo: string, lapS: number, raceS: number): RmonRecord =>
  ({ type: 'J', regNo, lapTime: '', lapUs: Math.round(lapS * 1e6), totalTime: '', raceUs: Math.round(raceS * 1e6) });
export const I: RmonRecord = { type: 'I', timeOfDay: '', timeOfDayUs: null, date: '' };
