import { Kvm } from '@nats-io/kv';
import t, { type Test } from 'tap';
import { gpsFixMsgId, riderDevice, type GpsFix } from '../../actors/contracts/gps.ts';
import { subjects } from '../../actors/contracts/subjects.ts';
import { readEdgeMessages } from '../../engine/testing/edge-stream.ts';
import { GATEWAY_AUDIENCE } from '../../oidc/claims.ts';
import { issueRiderCredentials, revokeTraccarKeys } from '../../oidc/riders.ts';
import { createTokenVerifier } from '../auth/verifier.ts';
import type { ClientFrame } from '../protocol.ts';
import { openFrameSocket } from '../testing/frame-socket.ts';
import { startTestGateway } from '../testing/gateway.ts';
import { REGATTA, startRiderNats } from '../testing/rider-stack.ts';
import { createTestSigner, TEST_ISSUER } from '../testing/tokens.ts';
import { waitFor } from '../testing/wait.ts';

// Issue 15, rider ingest over a real NATS and gateway: positions from the rider page's WebSocket and from Traccar
// Client's OsmAnd requests reach EDGE on gps.<track>.<device>; every refusal is precise, counted, and publishes nothing.
const { nats, identity, gpsMessages } = await startRiderNats(t);
const signer = await createTestSigner('k1');
const verifier = createTokenVerifier({ jwks: { keys: [signer.jwk] }, issuer: TEST_ISSUER, audience: GATEWAY_AUDIENCE });
const gw = await startTestGateway(t, await nats.connectAs('gateway'), {}, { verifier });
const edge = await nats.connectAs('admin');
const competitor = (number: string, org = 'club') => signer.sign({ org, roles: ['competitor'], entry: { event: 'regatta', number } });
const subjectOf = (number: string) => subjects.gps(REGATTA.track, riderDevice({ event: 'regatta', number }));
const fixesOf = async (number: string) => (await readEdgeMessages(edge, subjectOf(number))).map((m) => ({ ...m, data: m.data as GpsFix }));
const nowMs = () => Date.now();

/** A bare WebSocket recording the frames it gets (after hello). */
async function rider(t: Test) {
  const { frames, send } = await openFrameSocket(t, gw.wsUrl);
  const reply = async (ref: string) => {
    await waitFor(() => frames.some((f) => 'ref' in f && f.ref === ref), `the reply to ${ref}`);
    return frames.find((f) => 'ref' in f && f.ref === ref)!;
  };
  const auth = async (token: string) => {
    send({ type: 'auth', token });
    await waitFor(() => frames.some((f) => f.type === 'auth' || f.type === 'error'), 'the auth reply');
    return frames.find((f) => f.type === 'auth' || f.type === 'error')!;
  };
  return { send, reply, auth, frames };
}

t.test('rider page: a competitor position is stored on gps.<track>.<device> and acknowledged', async (t) => {
  const r = await rider(t);
  t.match(await r.auth(await competitor('05')), { type: 'auth', ok: true, org: 'club', roles: ['competitor'], entry: { event: 'regatta', number: '05' } },
    'the auth reply names the entry the rider page reports for');
  const atMs = nowMs() - 1500.5;
  r.send({ type: 'position', ref: 'p1', event: 'regatta', number: '05', atMs, lat: 53.5457, lon: 9.8054, speed: 3.2, accuracy: 4 });
  t.same(await r.reply('p1'), { type: 'position', ref: 'p1', ok: true });
  const [stored, ...more] = await fixesOf('05');
  t.equal(more.length, 0, 'one fix');
  t.match(stored!.data, { type: 'fix', device: riderDevice({ event: 'regatta', number: '05' }), entry: { event: 'regatta', number: '05' },
    atUs: Math.round(atMs * 1000), lat: 53.5457, lon: 9.8054, speedMps: 3.2, accuracyM: 4, via: 'ws' });
  t.equal(stored!.msgId, gpsFixMsgId(stored!.data), 'published with the fix message id (a re-sent fix is stored once)');
  t.equal(await gw.metric('pitwall_gateway_gps_fixes_total', { via: 'ws' }), 1);
});

t.test('rider page: refusals are precise error frames with the ref, counted, nothing published, connection kept', async (t) => {
  const before = await gpsMessages();
  const counted = async (kind: string) => gw.metric('pitwall_input_errors_total', { kind });
  const r = await rider(t);
  const position = (ref: string, extra: Partial<Extract<ClientFrame, { type: 'position' }>> = {}) =>
    r.send({ type: 'position', ref, event: 'regatta', number: '7', atMs: nowMs(), lat: 53.5, lon: 9.8, ...extra });

  position('no-auth');
  t.match(await r.reply('no-auth'), { type: 'error', code: 'auth_required', message: /send an auth frame/ });
  await r.auth(await competitor('7'));

  const forbiddenBefore = await counted('forbidden');
  position('other-entry', { number: '12' });
  t.match(await r.reply('other-entry'), { type: 'error', code: 'forbidden',
    message: 'position for regatta #12 refused: the token is for entry regatta #7, not regatta #12' }, 'another entry: refused, saying whose token it is');
  t.equal(await counted('forbidden'), forbiddenBefore + 1, 'counted');

  position('undeclared-event', { event: 'other-regatta' });
  t.match(await r.reply('undeclared-event'), { type: 'error', code: 'unknown_entry', message: 'event other-regatta is not declared' });
  for (const [ref, extra, message] of [
    ['bad-lat', { lat: 91 }, /^lat must be a number from -90 to 90, got 91/],
    ['bad-lon', { lon: -181 }, /^lon must be a number from -180 to 180/],
    ['future', { atMs: nowMs() + 10 * 60_000 }, /more than 5 min ahead of the gateway's clock/],
    ['seconds-not-ms', { atMs: nowMs() / 1000 }, /is before 2000: the phone's clock is wrong/],
    ['bad-speed', { speed: -3 }, /^speed must be from 0 to 500 m\/s, got -3/],
  ] as const) {
    position(ref, extra);
    t.match(await r.reply(ref), { type: 'error', code: 'bad_position', message }, ref);
  }
  r.send({ type: 'position', ref: 'no-number', event: 'regatta', atMs: nowMs(), lat: 1, lon: 1 } as unknown as ClientFrame);
  await waitFor(() => r.frames.some((f) => f.type === 'error' && f.code === 'bad_message'), 'the bad_message error');
  t.match(r.frames.find((f) => f.type === 'error' && f.code === 'bad_message'), { message: /^position: number must be a non-empty string/ });
  t.equal(await counted('bad_position'), 5);

  const stranger = await rider(t);
  await stranger.auth(await competitor('7', 'other-club'));
  stranger.send({ type: 'position', ref: 'other-org', event: 'regatta', number: '7', atMs: nowMs(), lat: 53.5, lon: 9.8 });
  t.match(await stranger.reply('other-org'), { type: 'error', code: 'forbidden', message: /the token is for organisation other-club, not club/ });
  const official = await rider(t);
  await official.auth(await signer.sign({ org: 'club', roles: ['admin'] }));
  official.send({ type: 'position', ref: 'staff', event: 'regatta', number: '7', atMs: nowMs(), lat: 53.5, lon: 9.8 });
  t.match(await official.reply('staff'), { type: 'error', code: 'forbidden', message: /the role competitor is needed/ }, 'staff roles do not imply competitor');

  t.equal(await gpsMessages(), before, 'nothing reached EDGE');
  position('still-open');
  t.same(await r.reply('still-open'), { type: 'position', ref: 'still-open', ok: true }, 'the connection still works after the refusals');
});

t.test('OsmAnd (Traccar Client): query form, speed in knots, a re-sent fix stored once', async (t) => {
  const { traccarDeviceKey: key } = await issueRiderCredentials(identity, { org: 'club', entry: { event: 'regatta', number: '12' } });
  const timestamp = Math.floor(nowMs() / 1000) - 30;
  const url = `${gw.url}/api/gps/osmand?id=${key}&timestamp=${timestamp}&lat=53.54571&lon=9.80538&speed=10&bearing=90&altitude=1&accuracy=6.5&batt=80`;
  const res = await fetch(url, { method: 'POST' });
  t.equal(res.status, 200, await res.text());
  t.equal((await fetch(url)).status, 200, 'sent again (Traccar retries when it missed the answer): accepted');
  const fixes = await fixesOf('12');
  t.equal(fixes.length, 1, 'the retry is the same fix: stored once');
  t.match(fixes[0]!.data, { entry: { event: 'regatta', number: '12' }, atUs: timestamp * 1_000_000, lat: 53.54571, lon: 9.80538, accuracyM: 6.5, via: 'osmand' });
  t.ok(Math.abs(fixes[0]!.data.speedMps! - 10 * 0.514444) < 1e-4, `10 kn is 5.14 m/s (got ${fixes[0]!.data.speedMps})`);
  t.equal(await gw.metric('pitwall_gateway_gps_fixes_total', { via: 'osmand' }), 2);
});

t.test('OsmAnd: the JSON body of Traccar Client v9 (speed in m/s, ISO time), and a form body', async (t) => {
  const { traccarDeviceKey: key } = await issueRiderCredentials(identity, { org: 'club', entry: { event: 'regatta', number: '7' } });
  const before = (await fixesOf('7')).length;
  const iso = new Date(nowMs() - 5000).toISOString();
  const json = { device_id: key, location: { timestamp: iso, is_moving: true, odometer: 12,
    coords: { latitude: 53.546, longitude: 9.806, speed: 4.5, accuracy: -1, heading: 10, altitude: 2 }, battery: { level: 0.8, is_charging: false } } };
  const res = await fetch(`${gw.url}/api/gps/osmand`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(json) });
  t.equal(res.status, 200, await res.text());
  const form = await fetch(`${gw.url}/api/gps/osmand/regatta/7`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `id=${key}&timestamp=${encodeURIComponent(new Date(nowMs() - 4000).toISOString().slice(0, 19).replace('T', ' '))}&location=53.547,9.807` });
  t.equal(form.status, 200, await form.text());
  const fixes = (await fixesOf('7')).slice(before).map((m) => m.data);
  t.equal(fixes.length, 2);
  t.match(fixes[0], { atUs: Date.parse(iso) * 1000, lat: 53.546, lon: 9.806, speedMps: 4.5 });
  t.notOk('accuracyM' in fixes[0]!, 'accuracy -1 means unknown');
  t.match(fixes[1], { lat: 53.547, lon: 9.807, entry: { number: '7' } });
});

t.test('OsmAnd: a missing, bad or revoked key, or a key of another entry, is refused and nothing is published', async (t) => {
  const { traccarDeviceKey: key } = await issueRiderCredentials(identity, { org: 'club', entry: { event: 'regatta', number: '05' } });
  const { traccarDeviceKey: revoked } = await issueRiderCredentials(identity, { org: 'club', entry: { event: 'regatta', number: '12' } });
  t.equal(await revokeTraccarKeys(identity, { entry: { event: 'regatta', number: '12' } }), 1);
  const before = await gpsMessages();
  const fix = `timestamp=${Math.floor(nowMs() / 1000)}&lat=53.5&lon=9.8`;
  const cases = [
    { name: 'missing key', path: `/api/gps/osmand?${fix}`, status: 401, kind: 'osmand_missing_key', message: /^no device key/ },
    { name: 'bad key', path: `/api/gps/osmand?id=0123456789abcdef&${fix}`, status: 403, kind: 'osmand_bad_key', message: /^device key 0123… is not one Pitwall issued, or it was revoked/ },
    { name: 'revoked key', path: `/api/gps/osmand?id=${revoked}&${fix}`, status: 403, kind: 'osmand_bad_key', message: /it was revoked/ },
    { name: 'key of another entry', path: `/api/gps/osmand/regatta/7?id=${key}&${fix}`, status: 403, kind: 'osmand_forbidden',
      message: 'position for regatta #7 refused: the token is for entry regatta #05, not regatta #7' },
    { name: 'undeclared entry', path: `/api/gps/osmand/regatta/99?id=${key}&${fix}`, status: 403, kind: 'osmand_forbidden', message: /not regatta #99/ },
    { name: 'malformed number', path: `/api/gps/osmand?id=${key}&timestamp=1&lat=north&lon=9.8`, status: 400, kind: 'osmand_bad_request', message: 'lat is not a number: "north"' },
    { name: 'time out of bounds', path: `/api/gps/osmand?id=${key}&timestamp=12&lat=53&lon=9.8`, status: 400, kind: 'osmand_bad_position', message: /before 2000/ },
  ];
  for (const c of cases) {
    const counted = await gw.metric('pitwall_input_errors_total', { kind: c.kind });
    const res = await fetch(`${gw.url}${c.path}`);
    const body = (await res.json()) as { error: { message: string } };
    t.equal(res.status, c.status, `${c.name}: ${res.status}`);
    t.match(body.error.message, c.message, `${c.name}: ${body.error.message}`);
    t.equal(await gw.metric('pitwall_input_errors_total', { kind: c.kind }), counted + 1, `${c.name}: counted`);
  }
  t.equal(await gpsMessages(), before, 'nothing reached EDGE');
  t.equal((await fetch(`${gw.url}/api/gps/osmand?id=${key}&${fix}`)).status, 200, 'the good key still works');
  t.equal(await gpsMessages(), before + 1);
});

t.test("the gateway's NATS user reads device keys and nothing else of KV identity", async (t) => {
  await identity.put('account.ada', { secret: 'hash' });
  const kv = await new Kvm(await nats.connectAs('gateway')).open('identity', { bindOnly: true, allow_direct: true });
  await t.rejects(kv.get('account.ada'), /permission|timeout/i, 'an account is out of reach');
  const { traccarDeviceKey } = await issueRiderCredentials(identity, { org: 'club', entry: { event: 'regatta', number: '7' } });
  t.ok(await kv.get(`traccar.${Buffer.from(traccarDeviceKey).toString('base64url')}`), 'a device key is readable');
});
