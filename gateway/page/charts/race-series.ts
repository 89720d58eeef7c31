/**
 * Chart series from a session's laps as `GET /api/sessions/{track}/{session}/cars/{car}/laps` serves them: pure
 * functions, one point per completed lap, x the lap number.
 */

/** One lap of the laps route (ms, as REST gives times). */
export interface LapRecord {
  lap: number;
  lapMs: number;
  raceMs: number;
  position: number;
  flag: string;
  pit: boolean;
}

export interface Point {
  x: number;
  y: number;
}

export interface Series {
  /** What the line is, written on the chart next to it (the car number): colour is never the only key. */
  label: string;
  points: Point[];
}

export const lapTimePoints = (laps: LapRecord[]): Point[] => laps.map((l) => ({ x: l.lap, y: l.lapMs }));

export const positionPoints = (laps: LapRecord[]): Point[] => laps.map((l) => ({ x: l.lap, y: l.position }));

/**
 * Gap to the leader at the end of each lap: the car's race time minus the race time of the first car to complete
 * that lap (the leader then). Laps only the car itself has completed have a gap of 0.
 */
export function gapToLeaderSeries(lapsByCar: Map<string, LapRecord[]>): Series[] {
  const leaderMs = new Map<number, number>();
  for (const laps of lapsByCar.values()) {
    for (const l of laps) leaderMs.set(l.lap, Math.min(leaderMs.get(l.lap) ?? Infinity, l.raceMs));
  }
  return [...lapsByCar].map(([car, laps]) => ({
    label: car,
    points: laps.map((l) => ({ x: l.lap, y: l.raceMs - (leaderMs.get(l.lap) ?? l.raceMs) })),
  }));
}
