import fs from 'node:fs';
import path from 'node:path';
import { parseGpx, type GpxPoint } from '../../../edge/gps/gpx.ts';
import { replayGpx, shiftToNowMs } from '../../../edge/gps/gpx-replay.ts';
import { openOsmAndRider, openWsRider, type RiderSender } from '../../../edge/gps/rider-senders.ts';
import { UsageError } from '../../errors.ts';
import type { Command, CommandArgs } from '../command.ts';
import { openLocalIdentity, readLocalStack } from './admin.ts';
import { issueLocalRiderCredentials } from './rider.ts';

const list = (values: CommandArgs['values'], key: string) => {
  const raw = values[key];
  return (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map(String);
};

/** `N=VALUE` options into a map by entry number. */
function byNumber(values: CommandArgs['values'], key: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of list(values, key)) {
    const eq = item.indexOf('=');
    if (eq <= 0 || eq === item.length - 1) throw new UsageError(`--${key} is NUMBER=VALUE, got ${JSON.stringify(item)}`);
    out.set(item.slice(0, eq), item.slice(eq + 1));
  }
  return out;
}

/** Which file each rider replays: `--rider N=FILE`, then `--gpx FILE` (and plain file arguments) numbered 1, 2, … (skipping numbers taken). */
function ridersOf(values: CommandArgs['values'], positionals: string[]): Map<string, string> {
  const riders = byNumber(values, 'rider');
  let next = 1;
  for (const file of [...list(values, 'gpx'), ...positionals]) {
    while (riders.has(String(next))) next++;
    riders.set(String(next), file);
  }
  if (riders.size === 0) throw new UsageError('give at least one GPX file: --gpx FILE or --rider NUMBER=FILE');
  return riders;
}

export const gpsCommand: Command = {
  name: 'gps',
  summary: "replays GPX tracks as riders' phones through the gateway's rider endpoints (WebSocket or OsmAnd)",
  help: `usage: pitwall edge gps --event EVENT (--gpx FILE… | --rider NUMBER=FILE…) [--via ws|osmand] [--speed N|max] [--now]
                      [--gateway URL] [--org ID] [--token NUMBER=TOKEN…] [--key NUMBER=KEY…] [--data-dir DIR]

Each GPX file is one rider of EVENT: --rider 7=boat.gpx makes it entry #7; --gpx files are entries 1, 2, 3, … in the
order given. The fixes go to the gateway as a phone sends them, and only the gateway publishes them (gps.<track>.<device>
in EDGE): --via ws (default) logs in on /ws with the rider's competitor token and sends position frames, like the
rider page; --via osmand sends OsmAnd requests with the rider's device key, like Traccar Client.

Credentials: --token NUMBER=TOKEN (ws) or --key NUMBER=KEY (osmand) for a rider; otherwise new ones are issued from
the local stack's identity provider, as 'pitwall rider token' does (which revokes that entry's earlier device keys).

options:
  --speed N|max   track seconds per real second (default 1), or max: each fix as soon as the previous one is stored
  --now           shift every time by the same amount: at speed 1 or less the first fix is now, faster the last one is
                  (the gateway refuses fixes over 5 min in the future, not old ones). Without --now the GPX times
                  are kept, and a replay gives the same passings every time.
  --gateway URL   the gateway (default: the local stack's, from run/stack.json)
  --org ID        the organisation of the issued credentials (default: the one of 'pitwall admin init')
  --data-dir DIR  a local stack started by 'pitwall up' (default PITWALL_DATA_DIR or var/)`,
  options: {
    event: { type: 'string' },
    gpx: { type: 'string', multiple: true },
    rider: { type: 'string', multiple: true },
    via: { type: 'string', default: 'ws' },
    speed: { type: 'string', default: '1' },
    now: { type: 'boolean', default: false },
    gateway: { type: 'string' },
    org: { type: 'string' },
    token: { type: 'string', multiple: true },
    key: { type: 'string', multiple: true },
    'data-dir': { type: 'string' },
  },
  async run({ values, positionals }, { config, out, err, stopRequested }) {
    const event = typeof values.event === 'string' ? values.event : undefined;
    if (!event) throw new UsageError('--event is required');
    const via = String(values.via);
    if (via !== 'ws' && via !== 'osmand') throw new UsageError(`--via is ws or osmand, got ${via}`);
    const speed = values.speed === 'max' ? 'max' : Number(values.speed);
    if (speed !== 'max' && !(speed > 0)) throw new UsageError(`--speed takes a positive number or max, got ${String(values.speed)}`);
    const dataDir = typeof values['data-dir'] === 'string' ? path.resolve(values['data-dir']) : config.dataDir;
    const gatewayUrl = typeof values.gateway === 'string' ? values.gateway : readLocalStack(dataDir).spectators;
    if (!gatewayUrl) throw new UsageError('--gateway is required (the local stack has no gateway address)');

    const tracks = new Map<string, GpxPoint[]>();
    for (const [number, file] of ridersOf(values, positionals)) {
      const gpx = parseGpx(fs.readFileSync(file, 'utf8'));
      for (const s of gpx.skipped.slice(0, 5)) err(`${file}: point ${s.point}: ${s.problem}`);
      if (gpx.points.length === 0) throw new UsageError(`${file} has no track point with a time`);
      tracks.set(number, gpx.points);
      out(`#${number} ${path.basename(file)}: ${gpx.points.length} fixes${gpx.skipped.length ? ` (${gpx.skipped.length} points skipped)` : ''}`);
    }

    // Credentials: given ones, else issued from the local identity provider (one connection for all riders).
    const given = byNumber(values, via === 'ws' ? 'token' : 'key');
    const credentials = new Map(given);
    const missing = [...tracks.keys()].filter((n) => !credentials.has(n));
    if (missing.length > 0) {
      const id = await openLocalIdentity(dataDir);
      try {
        for (const number of missing) {
          const issued = await issueLocalRiderCredentials(id, typeof values.org === 'string' ? values.org : undefined, { event, number });
          credentials.set(number, via === 'ws' ? issued.token : issued.traccarDeviceKey);
        }
      } finally {
        await id.nc.close();
      }
    }

    const senders: RiderSender[] = [];
    try {
      const riders = [];
      for (const [number, points] of tracks) {
        const entry = { event, number };
        const credential = credentials.get(number)!;
        const sender = via === 'ws' ? await openWsRider({ gatewayUrl, token: credential, entry }) : openOsmAndRider({ gatewayUrl, deviceKey: credential, entry });
        senders.push(sender);
        riders.push({ number, points, sender });
      }
      const shiftMs = values.now ? shiftToNowMs([...tracks.values()], speed, Date.now()) : 0;
      out(`edge gps: ${riders.length} rider(s) of ${event} via ${via} to ${gatewayUrl} at ${speed === 'max' ? 'maximum speed' : `${speed}×`}`);
      const replay = replayGpx({ nowMs: Date.now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)), log: err }, riders, { speed, shiftMs });
      void stopRequested.then(() => replay.stop());
      const summary = await replay.summary;
      const stored = Object.values(summary.stored).reduce((a, b) => a + b, 0);
      const refused = Object.values(summary.refused).reduce((a, b) => a + b, 0);
      out(`edge gps done: ${stored} fixes stored, ${refused} refused (${riders.map((r) => `#${r.number} ${summary.stored[r.number]}/${r.points.length}`).join(', ')})`);
      return refused > 0 ? 1 : 0;
    } finally {
      await Promise.all(senders.map((s) => s.close()));
    }
  },
};
