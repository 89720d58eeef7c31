import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { Gauge, type Registry } from 'prom-client';
import { subjects } from '../actors/contracts/subjects.ts';
import { startDeclarationWatch } from './declaration-watch.ts';
import { INGEST_CONSUMER, startIngest, type Ingest } from './ingest.ts';
import { counter } from './metrics.ts';
import { createPoisonRegistry } from './poison.ts';
import { startSessionHost, type SessionHost, type SessionHostDeps, type SessionHostOptions } from './session-host.ts';
import { requireStreamLimits, watchConsumerLag } from './stream-limits.ts';
import { createSupervisor } from './supervisor.ts';
import type { Log } from './log.ts';

/**
 * The engine of one node: ingest (EDGE → RACE), one supervised session host per live session, and a health message
 * every second on `engine.<node>.health` listing the live sessions (gateways list them for spectators).
 */
export interface EngineHealth {
  node: string;
  atMs: number;
  sessions: { track: string; event: string; session: string; name: string; type: string; state: string }[];
  faulted: string[];
  restarts: number;
}

export interface Engine {
  session(track: string, session: string): SessionHost | undefined;
  health(): EngineHealth;
  stop(): Promise<void>;
}

export async function startEngine(
  deps: { nc: NatsConnection; registry: Registry; log: Log; reduce?: SessionHostDeps['reduce'] },
  opts: { node: string; host?: SessionHostOptions },
): Promise<Engine> {
  await requireStreamLimits(deps.nc);
  const state = await new Kvm(deps.nc).open('session-state');
  const restarts = counter(deps.registry, 'pitwall_actor_restarts_total', 'Session actors restarted after a failure');
  const supervisor = createSupervisor<SessionHost>({ log: deps.log, onRestart: () => restarts.inc() });
  new Gauge({
    name: 'pitwall_sessions_faulted',
    help: 'Sessions that kept failing and are no longer restarted',
    registers: [deps.registry],
    collect(this: Gauge) {
      this.set(supervisor.faulted().length);
    },
  });
  const hostDeps: SessionHostDeps = { ...deps, state, poison: createPoisonRegistry() };
  const ingest: Ingest = await startIngest({
    ...deps,
    state,
    onSessionOpen: ({ track, event, session }) =>
      supervisor.ensure(`${track}.${session}`, () => startSessionHost(hostDeps, { track, event, session }, opts.host)),
  });
  const lag = watchConsumerLag(deps.nc, [{ stream: 'EDGE', consumer: INGEST_CONSUMER }], (l) =>
    deps.log(`engine: consumer ${l.consumer} on ${l.stream} is ${l.pending} messages (~${l.pendingBytes} bytes, ${Math.round(l.bytesShare * 100)}% of the stream's limit) behind`, { level: 'warn', stream: l.stream, consumer: l.consumer, pending: l.pending }),
  );

  // Changes of KV `events` reach the open sessions of their event.
  const declarations = await startDeclarationWatch({ ...deps, ingest });

  const health = (): EngineHealth => ({
    node: opts.node,
    atMs: Date.now(),
    sessions: [...supervisor.children().values()].flatMap((host) => {
      const view = host.published().view;
      return view ? [{ track: view.track, event: view.event, session: view.session, name: view.name, type: view.type, state: view.state }] : [];
    }),
    faulted: supervisor.faulted(),
    restarts: supervisor.restarts(),
  });
  const timer = setInterval(() => deps.nc.publish(subjects.engineHealth(opts.node), JSON.stringify(health())), 1000);

  return {
    session: (track, session) => supervisor.get(`${track}.${session}`),
    health,
    /** Graceful: inputs stop first, then every session writes its final snapshot. */
    async stop() {
      clearInterval(timer);
      lag.stop();
      await declarations.stop();
      await ingest.stop();
      await supervisor.stop();
      deps.registry.removeSingleMetric('pitwall_sessions_faulted');
    },
  };
}
