import t from 'tap';
import { sortSessions } from './event-list.ts';

t.test('live now, upcoming and recent from the declarations and the engines\' reports', async (t) => {
  const sorted = sortSessions([
    { track: 'ring', event: 'day', name: 'Open day', sessions: [
      { id: 'p1', name: 'Practice', type: 'practice', state: 'running' },
      { id: 'q1', name: 'Qualifying', type: 'qualifying', state: 'official' },
      { id: 'r1', name: 'Race', type: 'race' },
      { id: 'r2', name: 'Race 2', type: 'race', state: 'scheduled' },
      { id: 'r3', name: 'Race 3', type: 'race', state: 'finishing' },
    ] },
  ], [
    { track: 'ring', event: 'day', session: 'p1', name: 'Practice', type: 'practice', state: 'running' },
    { track: 'oval', event: 'feed', session: 'run-4', name: 'Run 4', type: 'race', state: 'open' },
  ]);
  t.same(sorted.live.map((s) => s.session), ['p1', 'r3', 'run-4'], 'running, finishing, and an undeclared live session (once each)');
  t.same(sorted.upcoming.map((s) => s.session), ['r1', 'r2'], 'not run yet, or scheduled');
  t.same(sorted.recent.map((s) => s.session), ['q1'], 'finished or official');
  t.equal(sorted.live[2]?.eventName, 'feed', 'an undeclared session is named by its event id');
});
