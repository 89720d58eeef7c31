import { decode } from '@msgpack/msgpack';
import { connect } from '@nats-io/transport-node';
import { wallUs } from '../../fanout/clock.ts';
import { createReservoir } from '../../fanout/stats.ts';
import type { StartedRace } from './edge-load.ts';

/**
 * Watches the middle of the path on NATS, as a gateway would see it: when each passing reaches EDGE (the edge agent
 * published it from its outbox: `edge.<track>.<device>.passing`), when it reaches RACE
 * (`timing.<track>.<session>.passing`, written by the engine after ingest: edge → actor's input) and when the actor's
 * coalesced diff carrying it reaches `view.<track>.<session>` (actor → gateway). Latencies are from the passing's own
 * `atUs` (the crossing on the wall clock). It also checks that the view's race time is the passing's: start + raceUs
 * = atUs (`agree`/`disagree`), so the spectators' latency, computed the same way, measures the right thing.
 * IPC: `races` (their starts), `window` (reset), `collect` → `collected`.
 */
const nc = await connect({ servers: process.env.NATS_URL, user: process.env.NATS_USER, pass: process.env.NATS_PASS, name: 'bench probe' });
const starts = new Map<string, number>();
const lastPassing = new Map<string, number>();
const toEdge = createReservoir(20_000);
const toRace = createReservoir(20_000);
const toView = createReservoir(20_000);
let counts = { passings: 0, diffs: 0, agree: 0, disagree: 0, viewBytes: 0 };

void (async () => {
  for await (const m of nc.subscribe('edge.*.*.passing')) toEdge.add(wallUs() - m.json<{ atUs: number }>().atUs);
})();

void (async () => {
  for await (const m of nc.subscribe('timing.*.*.passing')) {
    const [, track] = m.subject.split('.');
    const passing = m.json<{ atUs: number; car: string }>();
    toRace.add(wallUs() - passing.atUs);
    counts.passings++;
    lastPassing.set(`${track}/${passing.car}`, passing.atUs);
  }
})();

void (async () => {
  for await (const m of nc.subscribe('view.*.*')) {
    const [, track] = m.subject.split('.');
    const start = starts.get(track ?? '');
    counts.diffs++;
    counts.viewBytes += m.data.length;
    if (start === undefined) continue;
    const { diff } = decode(m.data) as { diff?: { rows?: Record<string, { set?: { raceUs?: unknown } }> } };
    const now = wallUs();
    for (const [car, patch] of Object.entries(diff?.rows ?? {})) {
      const raceUs = patch.set?.raceUs;
      if (typeof raceUs !== 'number') continue;
      toView.add(now - (start + raceUs));
      if (lastPassing.get(`${track}/${car}`) === start + raceUs) counts.agree++;
      else counts.disagree++;
    }
  }
})();

process.on('message', (m: { cmd: string; races?: StartedRace[] }) => {
  if (m.cmd === 'races') for (const r of m.races ?? []) starts.set(r.track, r.startAtUs);
  if (m.cmd === 'window') {
    toEdge.take();
    toRace.take();
    toView.take();
    counts = { passings: 0, diffs: 0, agree: 0, disagree: 0, viewBytes: 0 };
  }
  if (m.cmd === 'collect') process.send?.({ type: 'collected', toEdgeUs: toEdge.take(), toRaceUs: toRace.take(), toViewUs: toView.take(), ...counts });
});
process.on('disconnect', () => process.exit(0));
process.send?.({ type: 'ready' });
