import type { Command } from '../../engine/cli/command.ts';
import { readDeclarationFile } from '../../engine/declarations/read.ts';
import { UsageError } from '../../engine/errors.ts';
import { startAgentHealth } from '../agent-health.ts';
import { AGENT_OPTIONS, AGENT_OPTIONS_HELP, openAgentProcess } from '../agent-process.ts';
import { writeSimJsonl } from '../jsonl/from-sim.ts';
import { createSimulator } from './simulator.ts';

export const simCommand: Command = {
  name: 'sim',
  summary: 'simulate a session: a field of cars crossing the line, with flags and clock ticks',
  help: `usage: pitwall edge sim --event FILE [--session ID] [--cars N] [--speed N|max] [--seed N]
                        [--device ID] [--data-dir DIR] [--nats URL --user U --password P] [--outbox DIR]
       pitwall edge sim --event FILE [--session ID] [--cars N] [--seed N] --out FILE.jsonl

Plays a simulated session of the declared event (docs/event-format.md) as an edge device: passings of the first N
entries (by transponder), the session opening, start, a full-course yellow, the checkered flag, and one clock tick
per second of session time. A 30-minute race at --speed 30 takes one minute.

With --out, nothing is published and no NATS is needed: the session is written to a JSON-lines file at once
(docs/jsonl-format.md: the declaration, then every event with its time; the session opens at the wall clock), to be
scored offline ('pitwall score FILE') or replayed ('pitwall edge replay-jsonl FILE').

options:
  --event FILE      the event declaration (.json, .yaml)
  --session ID      which declared session (default: the first race, else the first session)
  --cars N          how many entries take part (default 20, at most 100 and the number declared)
  --speed N|max     session seconds per real second (default 1), or max: all at once (sent as fast as NATS acknowledges)
  --seed N          the race to simulate (default 1): the same seed gives the same race
  --device ID       this edge device's id (default sim)
  --out FILE        write the session as JSON lines instead of publishing it
${AGENT_OPTIONS_HELP}`,
  options: {
    event: { type: 'string' },
    session: { type: 'string' },
    cars: { type: 'string', default: '20' },
    speed: { type: 'string', default: '1' },
    seed: { type: 'string', default: '1' },
    device: { type: 'string', default: 'sim' },
    out: { type: 'string' },
    ...AGENT_OPTIONS,
  },
  async run({ values }, { config, out, err, stopRequested }) {
    if (typeof values.event !== 'string') throw new UsageError('--event FILE is required');
    const declaration = readDeclarationFile(values.event);
    const session = values.session
      ? declaration.sessions.find((s) => s.id === values.session)
      : (declaration.sessions.find((s) => s.type === 'race') ?? declaration.sessions[0]);
    if (!session) throw new UsageError(`no session ${String(values.session ?? '')} in ${values.event}`);
    const cars = Number(values.cars);
    if (!Number.isInteger(cars) || cars < 1 || cars > 100) throw new UsageError('--cars takes 1 to 100');
    if (cars > declaration.entries.length) throw new UsageError(`--cars ${cars}: ${values.event} declares ${declaration.entries.length} entries`);
    const speed = values.speed === 'max' ? 'max' : Number(values.speed);
    if (speed !== 'max' && !(speed > 0)) throw new UsageError(`--speed takes a positive number or max, got ${String(values.speed)}`);
    const seed = Number(values.seed);
    const device = String(values.device);
    if (typeof values.out === 'string') {
      const lines = await writeSimJsonl(values.out, declaration, session, { cars, seed, openAtUs: Date.now() * 1000 });
      out(`sim ${declaration.track}/${session.id}: ${cars} cars, ${lines} lines written to ${values.out}`);
      return 0;
    }

    const agent = await openAgentProcess(values, config, { track: declaration.track, device, name: 'sim', log: err });
    out(`sim ${declaration.track}/${session.id}: ${cars} cars at ${speed === 'max' ? 'maximum speed' : `${speed}×`}`);
    const sim = createSimulator(
      { nc: agent.nc, outbox: agent.outbox, log: err, nowMs: () => agent.clock.nowUs() / 1000, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
      { track: declaration.track, device, declaration, session, cars, speed, seed },
    );
    const health = startAgentHealth({ nc: agent.nc, publisher: sim.publisher, clock: agent.clock, log: err }, { track: declaration.track, device, agent: 'sim', extra: () => ({}) });
    void stopRequested.then(() => sim.stop());
    const summary = await sim.done;
    health.publish();
    health.stop();
    const left = sim.publisher.outboxHealth().pending;
    await agent.close();
    out(`sim done: ${summary.passings} passings, ${summary.ticks} ticks, ${summary.messages} messages${left ? `; ${left} not yet acknowledged, kept in the outbox for the next start` : ''}`);
    return 0;
  },
};
