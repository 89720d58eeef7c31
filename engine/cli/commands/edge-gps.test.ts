import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { riderDevice, type GpsFix } from '../../../actors/contracts/gps.ts';
import { subjects } from '../../../actors/contracts/subjects.ts';
import { parseGpx } from '../../../edge/gps/gpx.ts';
import { createTokenVerifier } from '../../../gateway/auth/verifier.ts';
import { startTestGateway } from '../../../gateway/testing/gateway.ts';
import { REGATTA, startRiderNats } from '../../../gateway/testing/rider-stack.ts';
import { GATEWAY_AUDIENCE } from '../../../oidc/claims.ts';
import { startTestIdentity } from '../../../oidc/testing/identity.ts';
import { stackFile } from '../../stack.ts';
import { runPitwall } from '../../testing/cli.ts';
import { readEdgeMessages } from '../../testing/edge-stream.ts';

// `pitwall edge gps` replays GPX tracks as riders through a real gateway (credentials from a real identity provider,
// as `pitwall rider token` issues them); `pitwall rider revoke` and `revoke-key` end a rider's device keys.
const { nats, gpsMessages } = await startRiderNats(t);
const idp = await startTestIdentity(t, nats);
const verifier = createTokenVerifier({ jwksUrl: idp.jwksUrl, issuer: idp.issuer, audience: GATEWAY_AUDIENCE });
const gw = await startTestGateway(t, await nats.connectAs('gateway'), {}, { verifier });
fs.mkdirSync(path.dirname(stackFile(nats.dataDir)), { recursive: true });
fs.writeFileSync(stackFile(nats.dataDir), JSON.stringify({ nats: nats.server.url, natsPid: nats.server.pid, identity: idp.url, spectators: `${gw.url}/` }));
const env = { ...process.env, PITWALL_DATA_DIR: nats.dataDir };
const fixture = (name: string) => new URL(`../../../edge/gps/fixtures/${name}`, import.meta.url).pathname;
const boats = { '7': 'track1.gpx', '12': 'track2.gpx', '05': 'track3.gpx' } as const;
const edge = await nats.connectAs('admin');
const fixesOf = async (number: string) => (await readEdgeMessages(edge, subjects.gps(REGATTA.track, riderDevice({ event: 'regatta', number })))).map((m) => m.data as GpsFix);

t.test('three boats over the WebSocket, with their GPX times: every fix stored for its entry', async (t) => {
  const r = await runPitwall(['edge', 'gps', '--event', 'regatta', '--org', 'club', '--speed', 'max',
    ...Object.entries(boats).flatMap(([n, f]) => ['--rider', `${n}=${fixture(f)}`])], env, 120_000);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /edge gps done: 1383 fixes stored, 0 refused \(#7 511\/511, #12 337\/337, #05 535\/535\)/);
  for (const [number, file] of Object.entries(boats)) {
    const gpx = parseGpx(fs.readFileSync(fixture(file), 'utf8')).points;
    const fixes = await fixesOf(number);
    t.equal(fixes.length, gpx.length, `#${number}: every fix`);
    t.same(fixes.map((f) => [f.atUs, f.lat, f.lon]), gpx.map((p) => [p.atMs * 1000, p.lat, p.lon]), `#${number}: the GPX points, times kept, in order`);
    t.ok(fixes.every((f) => f.via === 'ws' && f.entry.number === number), `#${number}: via ws, for its entry`);
  }
});

t.test('via OsmAnd with a device key, shifted to now; revoked keys are refused and publish nothing', async (t) => {
  const token = await runPitwall(['rider', 'token', 'regatta', '12', '--org', 'club', '--no-qr'], env);
  const key = /^traccar-device-key (\S+)$/m.exec(token.stdout)?.[1] ?? '';
  t.match(token.stdout, new RegExp(`^rider-page ${gw.url}/rider `, 'm'), 'rider token names the rider page');
  const before = (await fixesOf('12')).length;
  const replay = (k: string) => runPitwall(['edge', 'gps', '--event', 'regatta', '--via', 'osmand', '--now', '--speed', 'max',
    '--rider', `12=${fixture('track2.gpx')}`, '--key', `12=${k}`], env, 120_000);
  const r = await replay(key);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /337 fixes stored, 0 refused/);
  const fixes = (await fixesOf('12')).slice(before);
  t.equal(fixes.length, 337);
  t.ok(fixes.every((f) => f.via === 'osmand'), 'via osmand');
  const lastMs = fixes.at(-1)!.atUs / 1000;
  t.ok(lastMs <= Date.now() && lastMs > Date.now() - 120_000, 'at maximum speed, the last fix shifted to about now');

  const revoke = await runPitwall(['rider', 'revoke', 'regatta', '12', '--data-dir', nats.dataDir], env);
  t.equal(revoke.code, 0, revoke.stderr);
  t.match(revoke.stdout, /revoked 1 device key\(s\) of regatta #12; rider client deleted/);
  const stored = await gpsMessages();
  const refused = await replay(key);
  t.equal(refused.code, 1, 'refused fixes: exit status 1');
  t.match(refused.stdout, /0 fixes stored, 337 refused/);
  t.match(refused.stderr, /403: device key .{4}… is not one Pitwall issued, or it was revoked/);
  t.equal(refused.stderr.match(/^edge gps: #12: refused/gm)?.length, 1, 'a refused key: the rider\'s later fixes are not sent');
  t.equal(await gpsMessages(), stored, 'nothing published with the revoked key');

  const again = await runPitwall(['rider', 'token', 'regatta', '05', '--org', 'club', '--no-qr'], env);
  const key05 = /^traccar-device-key (\S+)$/m.exec(again.stdout)?.[1] ?? '';
  const newer = await runPitwall(['rider', 'token', 'regatta', '05', '--org', 'club', '--no-qr'], env);
  const key05b = /^traccar-device-key (\S+)$/m.exec(newer.stdout)?.[1] ?? '';
  const one = async (k: string) => (await fetch(`${gw.url}/api/gps/osmand?id=${k}&lat=53.5&lon=9.8`)).status;
  t.equal(await one(key05), 403, 'a new token for the entry revokes its earlier device key');
  t.equal(await one(key05b), 200, 'the newest key works');
  const revokeKey = await runPitwall(['rider', 'revoke-key', key05b], env);
  t.equal(revokeKey.code, 0, revokeKey.stderr);
  t.match(revokeKey.stdout, /revoked the device key of regatta #05 \(club\)/);
  t.equal(await one(key05b), 403, 'revoke-key: refused from the next request on');
  const unknown = await runPitwall(['rider', 'revoke-key', key05b], env);
  t.equal(unknown.code, 1);
  t.match(unknown.stderr, /no live device key/);
});

t.test("a competitor token for another entry is refused, and nothing is published", async (t) => {
  const issued = await runPitwall(['rider', 'token', 'regatta', '7', '--org', 'club', '--no-qr'], env);
  const token7 = /^token (\S+)$/m.exec(issued.stdout)?.[1] ?? '';
  const before = await gpsMessages();
  const r = await runPitwall(['edge', 'gps', '--event', 'regatta', '--now', '--speed', 'max', '--rider', `12=${fixture('track2.gpx')}`, '--token', `12=${token7}`], env, 120_000);
  t.equal(r.code, 1);
  t.match(r.stdout, /0 fixes stored, 337 refused/);
  t.match(r.stderr, /forbidden: position for regatta #12 refused: the token is for entry regatta #7, not regatta #12/);
  t.equal(r.stderr.match(/^edge gps: #12: refused/gm)?.length, 1, 'the rider\'s later fixes are not sent');
  t.equal(await gpsMessages(), before, 'nothing reached EDGE');
});
