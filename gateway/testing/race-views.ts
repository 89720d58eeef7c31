import type { SessionView, StandingRow } from '../../actors/contracts/view.ts';

/**
 * Session views for tests: a grid of cars and a pure "car completes a lap" step that re-orders the board and
 * recomputes gaps and intervals the way timing screens show them. Not the engine's scoring: just plausible views.
 */

export function sampleView(opts: { track: string; session: string; cars?: number; lapsToGo?: number }): SessionView {
  const cars = opts.cars ?? 6;
  const rows: StandingRow[] = Array.from({ length: cars }, (_, i) => ({
    number: i === 2 ? '05' : String(i * 7 + 3),
    name: `Driver ${String.fromCharCode(65 + i)}`,
    class: i % 3 === 2 ? 'gt4' : 'gt3',
    position: i + 1,
    classPosition: 0,
    laps: 0,
  }));
  return rank({
    track: opts.track,
    event: 'test-meeting',
    session: opts.session,
    name: 'Race 1',
    type: 'race',
    state: 'running',
    flag: 'green',
    clockUs: 0,
    ...(opts.lapsToGo === undefined ? {} : { remainingLaps: opts.lapsToGo }),
    rows,
  });
}

/** Order by laps (more first) then race time; positions, class positions, gaps and intervals from that order. */
function rank(view: SessionView): SessionView {
  const rows = [...view.rows].sort((a, b) => b.laps - a.laps || (a.raceUs ?? 0) - (b.raceUs ?? 0));
  const leader = rows[0];
  const inClass = new Map<string, number>();
  const ranked = rows.map((row, i): StandingRow => {
    const { gapUs, gapLaps, intervalUs, intervalLaps, ...rest } = row;
    const out: StandingRow = { ...rest, position: i + 1, classPosition: (inClass.get(row.class) ?? 0) + 1 };
    inClass.set(row.class, out.classPosition);
    const ahead = rows[i - 1];
    if (leader && ahead && i > 0) Object.assign(out, behind('gap', leader, row), behind('interval', ahead, row));
    return out;
  });
  return { ...view, rows: ranked };
}

function behind(what: 'gap' | 'interval', ahead: StandingRow, row: StandingRow): Partial<StandingRow> {
  if (ahead.laps > row.laps) return { [`${what}Laps`]: ahead.laps - row.laps };
  return { [`${what}Us`]: (row.raceUs ?? 0) - (ahead.raceUs ?? 0) };
}

/** `number` completes a lap of `lapUs`: laps, last and best lap, race time and the session clock move on. */
export function completeLap(view: SessionView, number: string, lapUs: number): SessionView {
  const rows = view.rows.map((row) => {
    if (row.number !== number) return row;
    const raceUs = (row.raceUs ?? 0) + lapUs;
    return { ...row, laps: row.laps + 1, lastLapUs: lapUs, bestLapUs: Math.min(row.bestLapUs ?? lapUs, lapUs), raceUs };
  });
  if (!rows.some((r) => r.number === number)) throw new Error(`no car ${number} in the view`);
  const clockUs = Math.max(view.clockUs, ...rows.map((r) => r.raceUs ?? 0));
  const next = rank({ ...view, clockUs, rows });
  if (view.remainingLaps === undefined) return next;
  const leaderLaps = (v: SessionView) => v.rows[0]?.laps ?? 0;
  return { ...next, remainingLaps: Math.max(0, view.remainingLaps - (leaderLaps(next) - leaderLaps(view))) };
}

/**
 * A deterministic race: each car has its own pace (about 1:32, a tenth and a half slower per grid slot) and a
 * seeded jitter; each step the car that reaches the line next completes its lap, as on track.
 */
export function createRaceSteps(seed = 7) {
  let state = seed >>> 0;
  const rand = (n: number) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state >>> 8) % n; // the high bits: an LCG's low bits cycle
  };
  const pace = new Map<string, number>();
  const paceOf = (number: string) => {
    if (!pace.has(number)) pace.set(number, 91_500_000 + pace.size * 150_000);
    return pace.get(number) as number;
  };
  return (view: SessionView): SessionView => {
    const byNumber = [...view.rows].sort((a, b) => a.number.localeCompare(b.number));
    for (const row of byNumber) paceOf(row.number);
    const next = byNumber.reduce<StandingRow | undefined>((best, row) =>
      !best || (row.raceUs ?? 0) + paceOf(row.number) < (best.raceUs ?? 0) + paceOf(best.number) ? row : best, undefined);
    if (!next) return view;
    return completeLap(view, next.number, paceOf(next.number) + rand(1_200_000) - 400_000);
  };
}
