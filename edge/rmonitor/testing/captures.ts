import path from 'node:path';
import { REPO_ROOT } from '../../../engine/paths.ts';

/** The real RMonitor captures, copied with their licences from the shared data so tests run on any clean clone. */
export const RMONITOR_DATA = path.join(REPO_ROOT, 'edge', 'rmonitor', 'fixtures');

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
