import path from 'node:path';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { createSimulator } from '../edge/sim/simulator.ts';
import { ensureDemoOfficial } from './demo-official.ts';
import { startDemoRegatta } from './demo-regatta.ts';
import { putDeclaration } from './declarations/store.ts';
import { readDeclarationFile } from './declarations/read.ts';
import { REPO_ROOT } from './paths.ts';
import type { Stack } from './stack.ts';
import type { Log } from './log.ts';

export const DEMO_EVENT_FILE = path.join(REPO_ROOT, 'docs', 'examples', 'demo-event.yaml');

/** The demo event's organisation: race control takes commands only for an event with one. */
const DEMO_ORG_NAME = 'Demo Park Racing Club';

/**
 * The demo of `pitwall up --demo`: declares docs/examples/demo-event.yaml, makes its race director, and runs its
 * races one after the other with the simulator as its own edge device (20 cars), exactly as `pitwall edge sim` would,
 * and beside them a GPS regatta replayed through the rider endpoints (demo-regatta.ts).
 * `lines` are for the person who started it: where race control is and how to log in.
 */
export async function startDemo(
  stack: Stack,
  opts: { speed: number | 'max'; cars?: number; log: Log },
): Promise<{ lines: string[]; stop(): Promise<void> }> {
  const cars = opts.cars ?? 20;
  const file = readDeclarationFile(DEMO_EVENT_FILE);
  // The demo's entry list is the cars that run: entries that never cross would be listed as non-starters.
  const declaration = { ...file, entries: file.entries.slice(0, cars) };
  const admin = await connect({ servers: stack.nats.url, ...stack.nats.credentials('admin') });
  await putDeclaration(await new Kvm(admin).open('events'), declaration);
  await admin.close();
  if (!declaration.org) throw new Error(`${DEMO_EVENT_FILE} needs an org: race control takes no commands without one`);
  const login = await ensureDemoOfficial(stack.accounts, { id: declaration.org, name: DEMO_ORG_NAME });

  const device = 'demo-sim';
  const nc = await connect({ servers: stack.nats.url, ...(await stack.nats.addEdgeDevice(declaration.track, device)) });
  let current: ReturnType<typeof createSimulator> | undefined;
  let stopped = false;
  const races = declaration.sessions.filter((s) => s.type === 'race');
  const run = (async () => {
    for (const [i, session] of races.entries()) {
      if (stopped) break;
      opts.log(`demo: ${session.name} (${declaration.track}/${session.id}) at ${opts.speed === 'max' ? 'maximum speed' : `${opts.speed}×`}`);
      current = createSimulator(
        { nc: nc, nowMs: Date.now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
        { track: declaration.track, device, declaration, session, cars, speed: opts.speed, seed: i + 1 },
      );
      await current.done;
    }
    if (!stopped) opts.log('demo: all races run');
  })();
  const regatta = await startDemoRegatta(stack, { speed: opts.speed, log: opts.log });
  return {
    lines: [`race-control ${stack.spectatorsUrl}race-control (${login})`, ...regatta.lines],
    async stop() {
      stopped = true;
      await regatta.stop();
      await current?.stop();
      await run.catch(() => undefined);
      await nc.drain();
    },
  };
}
