import t from 'tap';
import type { LapEvent } from '../actors/contracts/events.ts';
import { createReplayLaps } from './replay-laps.ts';

const lap = (car: string, n: number): LapEvent => ({
  kind: 'lap', track: 'demo-park', event: 'demo-day', session: 'race-1', car, class: 'gt3', lap: n, lapUs: 60_000_000,
  raceUs: n * 60_000_000, atUs: n * 60_000_000, position: 1, flag: 'green', pit: false,
});

t.test('a replay writes only the laps RACE does not hold, in the order derived', async (t) => {
  const laps = createReplayLaps();
  laps.held(lap('1', 1));
  laps.written(lap('1', 1)); // the previous owner wrote it
  laps.held(lap('2', 1));
  laps.held(lap('1', 2)); // derived, never written: the owner died before writing it
  laps.written(lap('2', 1));
  laps.written(lap('9', 9)); // a lap this replay does not derive changes nothing
  t.same(laps.release().map((l) => `${l.car}/${l.lap}`), ['1/2']);
  t.same(laps.release(), [], 'released once');
});
