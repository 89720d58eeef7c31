import path from 'node:path';
import { REPO_ROOT } from '../../../engine/paths.ts';

/** The shared real RMonitor captures (DESIGN: read from ../shared/data, never copied into tests). */
export const RMONITOR_DATA = path.join(REPO_ROOT, '..', 'shared', 'data', 'rmonitor');

export const CAPTURES = [
  'bradfier/2009_Sebring_ALMS_Session_4.txt',
  'bradfier/2009_Sebring_ALMS_Session_4_Lites.txt',
  'bradfier/2009_Sebring_ALMS_Session_5.txt',
  'bradfier/Orbits_Mock_Session.txt',
  'redmist/TestAbnormalReset.txt',
  'redmist/TestEntries.txt',
  'redmist/TestFlagtronicsPurple.txt',
  'redmist/TestGap.txt',
  'redmist/TestInitialPositions.txt',
  'redmist/TestMidRaceClassChange.txt',
  'redmist/TestResetRetainLapTime.txt',
  'redmist/TestSessionChanges.txt',
  'redmist/TestStart.txt',
] as const;

export const capturePath = (name: string) => path.join(RMONITOR_DATA, name);
