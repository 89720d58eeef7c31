import type { NatsConnection } from '@nats-io/transport-node';
import type { EdgeAgentHealth } from '../actors/contracts/edge-health.ts';
import { subjects } from '../actors/contracts/subjects.ts';
import type { EdgeClock } from './edge-clock.ts';
import type { EdgePublisher } from './edge-publisher.ts';

export interface AgentHealthReporter<H extends EdgeAgentHealth> {
  /** The health now (also measures the clock). */
  health(): H;
  /** Publishes the health now (on a change the agent wants known at once). */
  publish(): void;
  stop(): void;
}

/**
 * An agent's health on `edge.<track>.<device>.health` (core NATS, kept in EDGE) every `intervalMs`: its clock, its
 * outbox and link to JetStream, and the agent's own fields from `extra`. While NATS is unreachable the reports
 * cannot leave; the outbox warnings go to the agent's log as well (outbox/fill-level.ts).
 */
export function startAgentHealth<X extends object>(
  deps: { nc: NatsConnection | Promise<NatsConnection>; publisher: EdgePublisher; clock: EdgeClock; log?: (line: string) => void },
  opts: { track: string; device: string; agent: string; intervalMs?: number; extra: () => X },
): AgentHealthReporter<EdgeAgentHealth & X> {
  const subject = subjects.edge(opts.track, opts.device, 'health');
  let nc: NatsConnection | undefined; // reports start once NATS was reached
  void Promise.resolve(deps.nc).then((c) => (nc = c), () => undefined);
  const health = () => ({
    type: 'health' as const,
    agent: opts.agent,
    device: opts.device,
    boot: deps.publisher.boot,
    atUs: deps.clock.nowUs(),
    clock: deps.clock.measure(),
    outbox: deps.publisher.outboxHealth(),
    ackedSeq: deps.publisher.ackedSeq(),
    ...opts.extra(),
  });
  const publish = () => {
    if (!nc) return;
    try {
      nc.publish(subject, JSON.stringify(health()));
    } catch (e) {
      deps.log?.(`${opts.agent}: health not published: ${(e as Error).message}`);
    }
  };
  const timer = setInterval(publish, opts.intervalMs ?? 5000);
  timer.unref();
  return { health, publish, stop: () => clearInterval(timer) };
}
