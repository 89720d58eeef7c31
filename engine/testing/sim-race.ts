import fs from 'node:fs';
import path from 'node:path';
import { decode } from '@msgpack/msgpack';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { EventDeclaration, SessionDeclaration } from '../../actors/contracts/declaration.ts';
import { subjects } from '../../actors/contracts/subjects.ts';
import type { SessionView, ViewSnapshotMessage } from '../../actors/contracts/view.ts';
import { foldSession } from '../../actors/session-actor.ts';
import { simEventToJsonl } from '../../edge/jsonl/from-sim.ts';
import type { JsonlRecord } from '../../edge/jsonl/records.ts';
import { jsonlToSessionInputs } from '../../edge/jsonl/to-session-inputs.ts';
import { sessionTimeline } from '../../edge/sim/timeline.ts';
import { readDeclarationFile } from '../declarations/read.ts';
import { putDeclaration } from '../declarations/store.ts';
import { DEMO_EVENT_FILE } from '../demo.ts';
import { readRaceEvents } from './race-events.ts';

/**
 * A simulated race for the outage tests: the demo event cut to `cars` entries, stored in KV `events` and written to
 * a file for `pitwall edge sim --event`; and what its standings must be, folded offline from the simulator's own
 * timeline (not from what the engine wrote), so a passing lost, counted twice or re-timed shows as a difference.
 */
export interface SimRace {
  declaration: EventDeclaration;
  session: SessionDeclaration;
  track: string;
  eventFile: string;
  cars: number;
  seed: number;
  /** The standings the simulator's race gives, opened at `openAtUs` (the session.open time in RACE). */
  expectedView(openAtUs: number): SessionView;
}

export async function declareSimRace(admin: NatsConnection, dir: string, opts: { cars: number; seed: number }): Promise<SimRace> {
  const demo = readDeclarationFile(DEMO_EVENT_FILE);
  const declaration = { ...demo, entries: demo.entries.slice(0, opts.cars) };
  const session = declaration.sessions.find((s) => s.id === 'race-2')!;
  await putDeclaration(await new Kvm(admin).open('events'), declaration);
  const eventFile = path.join(dir, 'event.json');
  fs.writeFileSync(eventFile, JSON.stringify(declaration));
  return {
    declaration,
    session,
    track: declaration.track,
    eventFile,
    ...opts,
    expectedView(openAtUs) {
      const timeline = sessionTimeline(declaration, session, { cars: opts.cars, seed: opts.seed, openAtUs });
      const records: JsonlRecord[] = [{ type: 'declaration', declaration }, ...[...timeline].map((e) => simEventToJsonl(e, declaration, session.id))];
      return foldSession(jsonlToSessionInputs(records, session.id), { track: declaration.track, event: declaration.event, session: session.id });
    },
  };
}

/** When RACE says the session opened (the simulator's clock at its start), or undefined before. */
export async function sessionOpenedAtUs(nc: NatsConnection, track: string, session: string): Promise<number | undefined> {
  const { inputs } = await readRaceEvents(nc, track, session);
  return inputs.find((i) => i.kind === 'session' && i.verb === 'open')?.atUs;
}

/** The session's standings as the engine answers a gateway (`view.snapshot.…`), or undefined if no engine answers. */
export async function standings(nc: NatsConnection, track: string, session: string): Promise<SessionView | undefined> {
  try {
    const reply = await nc.request(subjects.viewSnapshot(track, session), undefined, { timeout: 2000 });
    return (decode(reply.data) as ViewSnapshotMessage).view;
  } catch {
    return undefined;
  }
}

/** `pitwall edge sim` arguments for this race. */
export const simArgs = (race: SimRace, dataDir: string, outbox: string, speed: number) => [
  'edge', 'sim', '--event', race.eventFile, '--session', race.session.id, '--cars', String(race.cars), '--seed', String(race.seed),
  '--speed', String(speed), '--data-dir', dataDir, '--outbox', outbox,
];
