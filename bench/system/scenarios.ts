import { gpsRidersScenario } from './gps-riders.ts';
import type { Scenario } from './scenario.ts';

/** The scenarios in the order they run (the order). Each module exports one `Scenario`. */
export const SCENARIOS: readonly Scenario[] = [gpsRidersScenario];
