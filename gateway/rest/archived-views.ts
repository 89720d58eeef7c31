import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { foldSession } from '../../actors/session-actor.ts';
import { parseTimingSubject } from '../../actors/contracts/subjects.ts';
import type { SessionView } from '../../actors/contracts/view.ts';
import type { ClickHouseHttp } from '../../engine/clickhouse/http.ts';
import { fencedInputs } from '../../engine/ownership/fence.ts';
import { readArchivedInputs } from '../../engine/race-archive.ts';
import type { SessionRef } from '../protocol.ts';

/**
 * The view of a session that no engine holds (finished and let go, or the stack restarted since): folded from its
 * events in stream RACE exactly as an engine would rebuild it (the fence leaves stale owners' writes out), or — after
 * the stream's max_age removed them — from the ClickHouse archive `race_events`, as `pitwall session rebuild
 * --from-archive` does. So results, standings and control logs stay readable after the race.
 *
 * Folded views are cached per session and reused while the session's event count in RACE is unchanged (one stream
 * info request): a finished session is folded once, not on every request.
 *
 * Known limit: a session scored by a feed's own positions (RMonitor follow mode) is folded with independent scoring
 * here: its scoring options lived with the engine's open-session list.
 */
export interface ArchivedViews {
  read(ref: SessionRef): Promise<SessionView | undefined>;
}

const MAX_CACHED = 64;

export function createArchivedViews(deps: { nc: NatsConnection; clickhouse?: ClickHouseHttp }, opts: { timeoutMs: number }): ArchivedViews {
  const cache = new Map<string, { count: number; view: SessionView }>();

  /** Every RACE event of the session, in stream order (a short-lived ordered consumer, as the audit reader). */
  async function streamEvents(filter: string, total: number): Promise<{ kind: string; payload: unknown }[]> {
    const consumer = await jetstream(deps.nc).consumers.get('RACE', {
      filter_subjects: filter as unknown as string[], // a single filter_subject on nats-server 2.9
      deliver_policy: DeliverPolicy.All,
    });
    const events: { kind: string; payload: unknown }[] = [];
    try {
      while (events.length < total) {
        const batch = await consumer.fetch({ max_messages: Math.min(1000, total - events.length), expires: opts.timeoutMs });
        let got = 0;
        for await (const msg of batch) {
          got++;
          const kind = parseTimingSubject(msg.subject)?.kind;
          if (kind) events.push({ kind, payload: msg.json<unknown>() });
        }
        if (got === 0) break;
      }
    } finally {
      await consumer.delete().catch(() => undefined);
    }
    return events;
  }

  return {
    async read(ref) {
      const key = `${ref.track}.${ref.session}`;
      const filter = `timing.${ref.track}.${ref.session}.>`;
      const info = await (await jetstreamManager(deps.nc)).streams.info('RACE', { subjects_filter: filter });
      const count = Object.values(info.state.subjects ?? {}).reduce((a, b) => a + b, 0);
      const cached = cache.get(key);
      if (cached && cached.count === count) return cached.view;
      const inputs = count > 0
        ? fencedInputs(await streamEvents(filter, count)).inputs
        : deps.clickhouse ? await readArchivedInputs(deps.clickhouse, ref.track, ref.session) : [];
      const declaration = inputs.find((i) => i.kind === 'declaration');
      if (!declaration || declaration.kind !== 'declaration') return undefined;
      const view = foldSession(inputs, { track: ref.track, event: declaration.declaration.event, session: ref.session });
      cache.delete(key);
      cache.set(key, { count, view });
      if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
      return view;
    },
  };
}
