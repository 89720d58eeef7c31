import type { SinkDeps } from './batch-sink.ts';
import { ensureSchema } from './clickhouse/schema.ts';
import { startEngine, type Engine } from './engine.ts';
import { startPositionsSink } from './gps/positions-sink.ts';
import { startLapSink } from './lap-sink.ts';
import { startRaceArchive } from './race-archive.ts';
import type { ServiceGroup } from './service-group.ts';

/**
 * What an engine process runs, in order: the ClickHouse schema, the engine (ingest and session actors), the lap sink,
 * the RACE archive and the GPS positions sink. Used by `pitwall up` (in its own process) and by `pitwall engine` (a
 * process of its own).
 */
export async function startEngineServices(
  group: ServiceGroup,
  deps: SinkDeps,
  opts: { node: string; leaseTtlMs?: number },
): Promise<Engine> {
  await ensureSchema(deps.clickhouse);
  const engine = await group.start('engine', () => startEngine(deps, opts));
  await group.start('lap sink', () => startLapSink(deps));
  await group.start('race archive', () => startRaceArchive(deps));
  await group.start('positions sink', () => startPositionsSink(deps));
  return engine;
}
