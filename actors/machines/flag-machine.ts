import { assign, setup } from 'xstate';
import type { Flag } from '../contracts/flags.ts';

/**
 * The flag machine (DESIGN §5): which flag is shown, and which moves officials may make. Pure: no delays, no clock.
 * Its state names are the `Flag` values, so the view's flag is the state value.
 *
 * Session events keep it in step with the session machine (sent by the actor when that machine accepts them):
 * - START: none → green (a session starts under green). Before it, every flag is refused (no green, no checkered
 *   before the session runs).
 * - CHECKERED (automatic, from scoring) and FINISH (session closed): any running flag → checkered.
 *
 * Officials' moves, FLAG {flag, sector?}:
 * - Between the racing flags green, yellow, fcy, safety-car, code-60 and white any move is allowed, except
 *   white → green (the last lap cannot be un-announced).
 * - red from any racing flag. From red the session may resume: → green, fcy, safety-car, code-60; or end under red:
 *   → checkered. red → yellow/white is refused.
 * - checkered only while running (from a racing flag or red). Officials' flags never leave it; only RESUME (green
 *   after the checkered, sent by the actor when the session machine resumes, SCORING-NOTES §9) → green.
 * - Re-asserting the flag already shown is accepted and changes nothing (feeds repeat the flag state every second).
 * - `none` is never a move.
 * Local yellow is by sector: `yellow` with a sector adds it to `sectors`; leaving yellow clears them.
 */
export type FlagMachineEvent =
  | { type: 'START' }
  | { type: 'CHECKERED' }
  | { type: 'FINISH' }
  | { type: 'RESUME' }
  | { type: 'FLAG'; flag: Flag; sector?: number };

export interface FlagContext {
  /** Sectors under local yellow (sorted, unique); empty unless the flag is yellow. */
  sectors: number[];
}

type RacingFlag = 'green' | 'yellow' | 'fcy' | 'safety-car' | 'code-60' | 'white';
const RACING: readonly RacingFlag[] = ['green', 'yellow', 'fcy', 'safety-car', 'code-60', 'white'];

export const flagMachine = setup({
  types: { context: {} as FlagContext, events: {} as FlagMachineEvent },
  actions: {
    clearSectors: assign({ sectors: () => [] }),
    addSector: assign({
      sectors: ({ context, event }) => {
        if (event.type !== 'FLAG' || event.sector === undefined || context.sectors.includes(event.sector)) {
          return context.sectors;
        }
        return [...context.sectors, event.sector].sort((a, b) => a - b);
      },
    }),
  },
  guards: {
    is: ({ event }, params: { flag: Flag }) => event.type === 'FLAG' && event.flag === params.flag,
  },
}).createMachine({
  id: 'flag',
  initial: 'none',
  context: { sectors: [] },
  states: {
    none: { on: { START: { target: 'green' } } },
    green: racing('green'),
    yellow: racing('yellow'),
    fcy: racing('fcy'),
    'safety-car': racing('safety-car'),
    'code-60': racing('code-60'),
    white: racing('white'),
    red: {
      on: {
        FLAG: (['red', 'green', 'fcy', 'safety-car', 'code-60', 'checkered'] as const).map((flag) => ({ guard: is(flag), target: flag })),
        CHECKERED: { target: 'checkered' },
        FINISH: { target: 'checkered' },
      },
    },
    checkered: {
      on: { FLAG: { guard: is('checkered'), target: 'checkered' }, FINISH: { target: 'checkered' }, RESUME: { target: 'green' } },
    },
  },
});

function is(flag: Flag) {
  return { type: 'is' as const, params: { flag } };
}

/** The transitions of a racing flag: the moves listed in the header; sectors cleared when leaving yellow. */
function racing(self: RacingFlag) {
  const targets = [...RACING, 'red', 'checkered'] as const;
  const moves = targets
    .filter((flag) => !(self === 'white' && flag === 'green'))
    .map((flag) => {
      // A self-target (not re-entering) rather than a targetless transition: `can()` reports it as accepted.
      if (flag === self) return { guard: is(flag), target: flag, actions: flag === 'yellow' ? ['addSector' as const] : [] };
      return { guard: is(flag), target: flag, actions: flag === 'yellow' ? ['clearSectors' as const, 'addSector' as const] : ['clearSectors' as const] };
    });
  return {
    on: {
      FLAG: moves,
      CHECKERED: { target: 'checkered' as const, actions: 'clearSectors' as const },
      FINISH: { target: 'checkered' as const, actions: 'clearSectors' as const },
    },
  };
}
