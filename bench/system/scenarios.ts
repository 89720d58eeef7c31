import { actorRebuildScenario } from './actor-rebuild.ts';
import type { Scenario } from './scenario.ts';

/** The scenarios in the order they run (the order). Each module exports one `Scenario`. */
export const SCENARIOS: readonly Scenario[] = [actorRebuildScenario];
