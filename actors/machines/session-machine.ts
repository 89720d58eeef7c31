import { setup } from 'xstate';

/**
 * The session machine (DESIGN §5): scheduled → open → running → finishing (checkered out) → finished → official.
 * Pure: driven only by events, no delays, no clock. An event a state does not name is refused; callers test
 * `snapshot.can(event)` first and count the refusal (bad input is data, never a throw).
 *
 * Moves:
 * - OPEN: scheduled → open (warm-up, pit lane open).
 * - START: open → running; also scheduled → running (a source that never announced the opening must not lose the
 *   whole session: the start implies it).
 * - CHECKERED: running → finishing. Sent when the flag machine shows the checkered flag, whether by race control or
 *   by the scoring reducer (leader completed the distance or the first crossing after the time expired).
 * - FINISH: running|finishing → finished (scoring closed; a running session may be ended without a checkered, e.g.
 *   a race not resumed after a red flag).
 * - OFFICIAL: finished → official (results signed off). Final.
 * - RESUME: finishing → running: the flag went green again after the checkered (it happens on real feeds,
 *   SCORING-NOTES §9); counting resumes. Not once the session is finished.
 */
export type SessionMachineEvent =
  | { type: 'OPEN' }
  | { type: 'START' }
  | { type: 'CHECKERED' }
  | { type: 'FINISH' }
  | { type: 'OFFICIAL' }
  | { type: 'RESUME' };

export const sessionMachine = setup({
  types: { events: {} as SessionMachineEvent },
}).createMachine({
  id: 'session',
  initial: 'scheduled',
  states: {
    scheduled: { on: { OPEN: 'open', START: 'running' } },
    open: { on: { START: 'running' } },
    running: { on: { CHECKERED: 'finishing', FINISH: 'finished' } },
    finishing: { on: { FINISH: 'finished', RESUME: 'running' } },
    finished: { on: { OFFICIAL: 'official' } },
    official: { type: 'final' },
  },
});
