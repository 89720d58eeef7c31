import type { NatsConnection } from '@nats-io/transport-node';
import type { Registry } from 'prom-client';
import { subjects } from '../actors/contracts/subjects.ts';
import { startIngest, type Ingest } from './ingest.ts';
import { startSessionHost, type SessionHost } from './session-host.ts';
import { createSupervisor } from './supervisor.ts';

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
  deps: { nc: NatsConnection; registry: Registry; log: (line: string) => void },
  opts: { node: string; coalesceMs?: number },
): Promise<Engine> {
  const supervisor = createSupervisor<SessionHost>({ log: deps.log });
  const ingest: Ingest = await startIngest({
    ...deps,
    onSessionOpen: ({ track, event, session }) =>
      supervisor.ensure(`${track}.${session}`, () => startSessionHost(deps, { track, event, session }, { coalesceMs: opts.coalesceMs })),
  });

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
    async stop() {
      clearInterval(timer);
      await ingest.stop();
      await supervisor.stop();
    },
  };
}
