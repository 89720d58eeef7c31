import path from 'node:path';
import fs from 'node:fs';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import type { EventDeclaration } from '../actors/contracts/declaration.ts';
import { createEdgePublisher } from '../edge/edge-publisher.ts';
import { parseGpx } from '../edge/gps/gpx.ts';
import { replayGpx, shiftToNowMs } from '../edge/gps/gpx-replay.ts';
import { openWsRider, type RiderSender } from '../edge/gps/rider-senders.ts';
import type { Speed } from '../edge/pace.ts';
import { requestClientToken } from '../oidc/client-token.ts';
import { issueRiderCredentials } from '../oidc/riders.ts';
import { putDeclaration } from './declarations/store.ts';
import { readDeclarationFile } from './declarations/read.ts';
import type { Log } from './log.ts';
import { REPO_ROOT } from './paths.ts';
import type { Stack } from './stack.ts';

export const DEMO_REGATTA_FILE = path.join(REPO_ROOT, 'docs', 'examples', 'demo-regatta.yaml');
const GPX_DIR = path.join(REPO_ROOT, 'edge', 'gps', 'fixtures');
/** Entry number → its recorded track (three boats of one real regatta). */
const TRACKS: Record<string, string> = { '1': 'track1.gpx', '2': 'track2.gpx', '3': 'track3.gpx' };
/** The race office opens the session this long before the first fix and starts it this long before the first crossing. */
const OPEN_BEFORE_MS = 60_000;
const START_AT_ISO = '2023-07-01T10:50:00Z';

/**
 * The GPS part of `pitwall up --demo`: declares docs/examples/demo-regatta.yaml, opens and starts its race from a
 * race-office edge device (as start lights would), and replays the boats' GPX tracks as their phones would send
 * them — each boat logged in on the gateway's `/ws` with a competitor token issued by the stack's identity provider,
 * exactly as `pitwall edge gps --now` does. The times are moved to the present, so the live map shows the boats
 * sailing now. The session finishes after the last fix.
 */
export async function startDemoRegatta(stack: Stack, opts: { speed: Speed; log: Log }): Promise<{ lines: string[]; stop(): Promise<void> }> {
  const declaration: EventDeclaration = readDeclarationFile(DEMO_REGATTA_FILE);
  const session = declaration.sessions[0]!;
  if (!declaration.org) throw new Error(`${DEMO_REGATTA_FILE} needs an org: riders' credentials belong to one`);
  const admin = await connect({ servers: stack.nats.url, ...stack.nats.credentials('admin') });
  await putDeclaration(await new Kvm(admin).open('events'), declaration);
  await admin.close();

  const tracks = Object.entries(TRACKS).map(([number, file]) => ({ number, points: parseGpx(fs.readFileSync(path.join(GPX_DIR, file), 'utf8')).points }));
  const shiftMs = shiftToNowMs(tracks.map((t) => t.points), opts.speed, Date.now());
  const firstMs = Math.min(...tracks.map((t) => t.points[0]!.atMs));
  const lastMs = Math.max(...tracks.map((t) => t.points.at(-1)!.atMs));

  const device = 'demo-regatta-office';
  const nc = await connect({ servers: stack.nats.url, ...(await stack.nats.addEdgeDevice(declaration.track, device)) });
  const office = createEdgePublisher({ nc, log: (line) => opts.log(line) }, { track: declaration.track, device });
  const sessionMessage = (body: { type: 'session.open'; event: string } | { type: 'session.start' } | { type: 'session.finish' }, atMs: number) =>
    office.publish({ kind: 'session', body: { ...body, session: session.id, atUs: (atMs + shiftMs) * 1000 } });
  await sessionMessage({ type: 'session.open', event: declaration.event }, firstMs - OPEN_BEFORE_MS);
  // The start goes out when the replay reaches it (the fixes are paced from the first one).
  const startMs = Date.parse(START_AT_ISO);
  const startTimer = setTimeout(() => void sessionMessage({ type: 'session.start' }, startMs), opts.speed === 'max' ? 0 : (startMs - firstMs) / opts.speed);

  const senders: RiderSender[] = [];
  const gatewayUrl = stack.spectatorsUrl;
  for (const { number } of tracks) {
    const entry = { event: declaration.event, number };
    const { client } = await issueRiderCredentials(stack.identity.store, { org: declaration.org, entry });
    senders.push(await openWsRider({ gatewayUrl, token: await requestClientToken(stack.identity.url.replace(/\/$/, ''), client), entry }));
  }
  opts.log(`demo: ${declaration.name} (${declaration.track}/${session.id}): ${tracks.length} boats from their GPX tracks at ${opts.speed === 'max' ? 'maximum speed' : `${opts.speed}×`}`);
  const replay = replayGpx(
    { nowMs: Date.now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)), log: (line) => opts.log(line) },
    tracks.map((t, i) => ({ ...t, sender: senders[i]! })),
    { speed: opts.speed, shiftMs },
  );
  let stopped = false;
  const run = replay.summary.then(async (summary) => {
    if (stopped) return;
    await sessionMessage({ type: 'session.finish' }, lastMs + 1000);
    opts.log(`demo: ${declaration.name} finished (${Object.entries(summary.stored).map(([n, k]) => `#${n} ${k} fixes`).join(', ')})`);
  });
  return {
    lines: [`regatta ${new URL(`map/${declaration.track}/${session.id}`, gatewayUrl).href}`],
    async stop() {
      stopped = true;
      clearTimeout(startTimer);
      await replay.stop();
      await run.catch(() => undefined);
      await Promise.all(senders.map((s) => s.close()));
      await office.stop();
      await nc.drain();
    },
  };
}
