import { actorRebuildScenario } from './actor-rebuild.ts';
import { gpsRidersScenario } from './gps-riders.ts';
import { lapSinkScenario } from './lap-sink.ts';
import { lateJoinScenario } from './late-join.ts';
import { memoryScenario } from './memory.ts';
import { passingToScreenScenario } from './passing-to-screen.ts';
import type { Scenario } from './scenario.ts';
import { slowSpectatorsScenario } from './slow-spectators.ts';

/** The scenarios in the order they run (the order). Each module exports one `Scenario`. */
export const SCENARIOS: readonly Scenario[] = [
  passingToScreenScenario, lateJoinScenario, slowSpectatorsScenario, actorRebuildScenario, lapSinkScenario, memoryScenario, gpsRidersScenario,
];
