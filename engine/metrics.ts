import { Counter, type Registry } from 'prom-client';

/**
 * Metrics shared by several parts of one process. prom-client refuses a second metric of the same name in one
 * registry, so every part asks here instead of creating its own.
 */
export function inputErrors(registry: Registry): Counter<'kind'> {
  const name = 'pitwall_input_errors_total';
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Counter<'kind'>;
  return new Counter({ name, help: 'Rejected input (feed lines, edge messages, frames, requests) by kind', labelNames: ['kind'], registers: [registry] });
}

/** A counter with labels, shared by everything that registers the same name on one registry (an engine restarted in-process). */
export function labelledCounter<L extends string>(registry: Registry, name: string, help: string, labelNames: L[]): Counter<L> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Counter<L>;
  return new Counter({ name, help, labelNames, registers: [registry] });
}

export function counter(registry: Registry, name: string, help: string): Counter {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Counter;
  return new Counter({ name, help, registers: [registry] });
}

/** Jump starts that start lights reported (edge `session` messages `jump-start`), by track. */
export function jumpStarts(registry: Registry): Counter<'track'> {
  const name = 'pitwall_jump_starts_total';
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Counter<'track'>;
  return new Counter({ name, help: 'Jump starts reported by start lights, by track', labelNames: ['track'], registers: [registry] });
}

/** Session inputs the actor did not apply, by reason (duplicates, short laps, after the finish, refused moves, …). */
export function sessionRejections(registry: Registry): Counter<'kind'> {
  const name = 'pitwall_session_inputs_rejected_total';
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Counter<'kind'>;
  return new Counter({ name, help: 'Session inputs not applied by the actor, by reason', labelNames: ['kind'], registers: [registry] });
}

/** Writes of a stale owner that were refused or ignored, by what was written (engine/ownership/fence.ts). */
export type FencedKind = 'race_event' | 'input' | 'snapshot';

export function fencedWrites(registry: Registry): Counter<'kind'> {
  const name = 'pitwall_fenced_writes_total';
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Counter<'kind'>;
  return new Counter({ name, help: 'Writes of a stale session owner or ingest refused or ignored by the lease fence, by kind', labelNames: ['kind'], registers: [registry] });
}

/** Race-control commands the engine decided, by verb and outcome (accepted, refused) — every one is also audited. */
export function raceControlCommands(registry: Registry): Counter<'verb' | 'outcome'> {
  const name = 'pitwall_race_control_commands_total';
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Counter<'verb' | 'outcome'>;
  return new Counter({ name, help: 'Race-control commands decided by the engine, by verb and outcome', labelNames: ['verb', 'outcome'], registers: [registry] });
}
