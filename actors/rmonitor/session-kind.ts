import type { SessionType } from '../contracts/declaration.ts';
import type { Flag } from '../contracts/flags.ts';
import type { RmonFlag } from '../contracts/rmonitor.ts';
import type { LineLoop } from '../contracts/events.ts';

/** A run's type from its `$B` description: qualifying, practice (practice, HPDE, warm-up, test session), else race. */
export function sessionTypeOf(description: string): SessionType {
  if (/qualif/i.test(description)) return 'qualifying';
  if (/practice|hpde|warm.?up|test session/i.test(description)) return 'practice';
  return 'race';
}

/** `$F` flags as session flags: RMonitor yellow is full course; `none` and unknown flags say nothing. */
export function flagOf(flag: RmonFlag): Flag | undefined {
  switch (flag) {
    case 'green': return 'green';
    case 'yellow': return 'fcy';
    case 'red': return 'red';
    case 'finish': return 'checkered';
    default: return undefined;
  }
}

/** IMSA `$L` line names: SFT/SFP start/finish on track / in the pit lane, PIT/PIP pit in, POT/POP pit out. */
export function loopOf(lineName: string): LineLoop {
  switch (lineName.trim().toUpperCase()) {
    case 'SFT': return 'sf-track';
    case 'SFP': return 'sf-pit';
    case 'PIT': case 'PIP': return 'pit-in';
    case 'POT': case 'POP': return 'pit-out';
    default: return 'other';
  }
}
