import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { Gauge, type Registry } from 'prom-client';
import { subjects } from '../actors/contracts/subjects.ts';
import { startDeclarationWatch } from './declaration-watch.ts';
import { startGpsIngest } from './gps/gps-ingest.ts';
import { startIngest } from './ingest.ts';
import { counter, fencedWrites } from './metrics.ts';
import { startIngestRole } from './ownership/ingest-role.ts';
import { createLeases } from './ownership/leases.ts';
import { watchPeerEngines } from './ownership/peer-engines.ts';
import { sessionKey, startSessionClaims } from './ownership/session-claims.ts';
import { createPoisonRegistry } from './poison.ts';
import { startSessionOpener } from './race-control/session-opener.ts';
import { startSessionHost, type SessionHost, type SessionHostDeps, type SessionHostOptions } from './session-host.ts';
import { requireStreamLimits, watchConsumerLag } from './stream-limits.ts';
import { createSupervisor } from './supervisor.ts';
import type { Log } from './log.ts';

/**
 * The engine of one node: one supervised session host per live session it owns, ingest (EDGE → RACE) while it holds
 * the `_ingest` lease, and a health message every second on `engine.<node>.health` listing the sessions it runs
 * (gateways list them for spectators). Several engines share the work through leases in KV `session-owner`
 * (engine/ownership/): each session has one owner, and a dead engine's sessions and ingest move to another.
 */
export interface EngineHealth {
  node: string;
  atMs: number;
  sessions: { track: string; event: string; session: string; name: string; type: string; state: string }[];
  faulted: string[];
  restarts: number;
  /** Whether this engine runs ingest now. */
  ingest: boolean;
  /** Writes of stale owners this engine refused or ignored (`pitwall_fenced_writes_total`). */
  fenced: number;
}

export interface Engine {
  session(track: string, session: string): SessionHost | undefined;
  health(): EngineHealth;
  stop(): Promise<void>;
}

export interface EngineOptions {
  node: string;
  host?: SessionHostOptions;
  /** A lease not renewed for this long may be taken by another engine (default 3000 ms). */
  leaseTtlMs?: number;
}

export async function startEngine(
  deps: { nc: NatsConnection; registry: Registry; log: Log; reduce?: SessionHostDeps['reduce'] },
  opts: EngineOptions,
): Promise<Engine> {
  await requireStreamLimits(deps.nc);
  const kvm = new Kvm(deps.nc);
  const state = await kvm.open('session-state');
  const restarts = counter(deps.registry, 'pitwall_actor_restarts_total', 'Session actors restarted after a failure');
  const fencedMetric = fencedWrites(deps.registry);
  let fenced = 0;
  const supervisor = createSupervisor<SessionHost>({ log: deps.log, onRestart: () => restarts.inc() });
  new Gauge({
    name: 'pitwall_sessions_faulted',
    help: 'Sessions that kept failing and are no longer restarted',
    registers: [deps.registry],
    collect(this: Gauge) {
      this.set(supervisor.faulted().length);
    },
  });
  let events: Promise<KV> | undefined;
  const openEvents = () => (events ??= kvm.open('events').catch((error: unknown) => {
    events = undefined; // the next command tries again
    throw error;
  }));
  const hostDeps: SessionHostDeps = {
    events: openEvents,
    ...deps,
    state,
    poison: createPoisonRegistry(),
    onFenced(kind) {
      fenced++;
      fencedMetric.inc({ kind });
    },
  };
  const ttlMs = opts.leaseTtlMs ?? 3000;
  const checkMs = Math.max(50, Math.floor(ttlMs / 6));
  const leases = await createLeases({ kv: await kvm.open('session-owner'), log: deps.log }, { node: opts.node, ttlMs });

  // Health goes out once a second: a peer silent for three is gone.
  const peers = watchPeerEngines(deps.nc, { node: opts.node, staleMs: 3000 });
  const claims = await startSessionClaims(
    {
      state,
      leases,
      log: deps.log,
      peerSessionCounts: peers.sessionCounts,
      onClaimed: (ref, lease) =>
        supervisor.ensure(sessionKey(ref), () => startSessionHost(hostDeps, ref, { lease, node: opts.node }, opts.host)),
      onLost: (ref) => void supervisor.drop(sessionKey(ref)),
    },
    { checkMs },
  );

  // Ingest, the declaration watch and race control's session opener run on the engine holding the `_ingest` lease.
  const ingestRole = await startIngestRole(
    {
      leases,
      log: deps.log,
      async start(lease) {
        const ingest = await startIngest({
          ...deps,
          state,
          epoch: lease.epoch,
          onSessionOpen: (ref) => claims.want(ref),
          onSuperseded: (reason) => lease.surrender(reason),
        });
        // Riders' fixes: a consumer of their own beside the passing ingest (gps/gps-ingest.ts).
        const gps = await startGpsIngest({ ...deps, ingest, epoch: lease.epoch });
        const lag = watchConsumerLag(deps.nc, [{ stream: 'EDGE', consumer: ingest.consumer }, { stream: 'EDGE', consumer: gps.consumer }], (l) =>
          deps.log(`engine: consumer ${l.consumer} on ${l.stream} is ${l.pending} messages (~${l.pendingBytes} bytes, ${Math.round(l.bytesShare * 100)}% of the stream's limit) behind`, { level: 'warn', stream: l.stream, consumer: l.consumer, pending: l.pending }),
        );
        // Changes of KV `events` reach the open sessions of their event.
        const declarations = await startDeclarationWatch({ ...deps, ingest });
        // Race control's `open` of a declared session that no source opened.
        const opener = startSessionOpener({ ...deps, ingest, events: await openEvents(), state });
        return {
          async stop() {
            await opener.stop();
            lag.stop();
            await declarations.stop();
            await gps.stop();
            await ingest.stop();
          },
        };
      },
    },
    { checkMs },
  );

  const health = (): EngineHealth => ({
    node: opts.node,
    atMs: Date.now(),
    sessions: [...supervisor.children().values()].flatMap((host) => {
      const view = host.published().view;
      return view ? [{ track: view.track, event: view.event, session: view.session, name: view.name, type: view.type, state: view.state }] : [];
    }),
    faulted: supervisor.faulted(),
    restarts: supervisor.restarts(),
    ingest: ingestRole.epoch() !== undefined,
    fenced,
  });
  const timer = setInterval(() => deps.nc.publish(subjects.engineHealth(opts.node), JSON.stringify(health())), 1000);

  return {
    session: (track, session) => supervisor.get(`${track}.${session}`),
    health,
    /**
     * Graceful: inputs stop first, then every session writes its final snapshot, then the leases are given back so
     * that another engine takes the sessions over at once.
     */
    async stop() {
      clearInterval(timer);
      await ingestRole.stop();
      await supervisor.stop();
      await claims.stop({ release: true });
      peers.stop();
      await leases.stop();
      deps.registry.removeSingleMetric('pitwall_sessions_faulted');
    },
  };
}
