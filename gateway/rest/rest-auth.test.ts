import { Kvm } from '@nats-io/kv';
import t from 'tap';
import { startTestNats } from '../../engine/testing/nats.ts';
import { GATEWAY_AUDIENCE } from '../../oidc/claims.ts';
import { createTokenVerifier } from '../auth/verifier.ts';
import { startFakeEngine } from '../testing/fake-engine.ts';
import { startTestGateway } from '../testing/gateway.ts';
import { sampleView } from '../testing/race-views.ts';
import { createTestSigner, TEST_ISSUER } from '../testing/tokens.ts';
import { waitFor } from '../testing/wait.ts';

// Issue 10 over REST: a private event's data needs `Authorization: Bearer` of its organisation (the /ws rule);
// lists leave out what the caller may not see; POST /api/events needs timing or admin of the declaration's org.
const nats = await startTestNats(t);
const engineNc = await nats.connectAs('engine');
const gatewayNc = await nats.connectAs('gateway');
const kv = await new Kvm(await nats.connectAs('admin')).open('events');
const declaration = (event: string, session: string, extra: object = {}) =>
  ({ track: 'club-ring', event, name: event, classes: [{ id: 'gt3', name: 'GT3' }], entries: [],
    sessions: [{ id: session, name: session, type: 'race', finish: { laps: 5 } }], ...extra });
await kv.put('club-ring.members-day', JSON.stringify(declaration('members-day', 'race-1', { private: true, org: 'club' })));
await kv.put('club-ring.open-day', JSON.stringify(declaration('open-day', 'open-1')));

const secret = await startFakeEngine(engineNc, { view: { ...sampleView({ track: 'club-ring', session: 'race-1' }), event: 'members-day' }, seq: 5, node: 'node-a' });
const open = await startFakeEngine(engineNc, { view: { ...sampleView({ track: 'club-ring', session: 'open-1' }), event: 'open-day' }, seq: 9, node: 'node-b' });
t.teardown(() => { secret.stop(); open.stop(); });
const good = await createTestSigner('k1');
const verifier = createTokenVerifier({ jwks: { keys: [good.jwk] }, issuer: TEST_ISSUER, audience: GATEWAY_AUDIENCE });
const gw = await startTestGateway(t, gatewayNc, {}, { verifier });

const STANDINGS = '/api/sessions/club-ring/race-1/standings';
const get = (path: string, token?: string, url = gw.url) => fetch(`${url}${path}`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });

t.test('refusals for a private session\'s standings', async (t) => {
  const cases: { name: string; token?: () => Promise<string>; status: number; reason?: string; message: RegExp }[] = [
    { name: 'no token', status: 401, reason: 'missing', message: /^missing: club-ring\/members-day is private \(organisation club\): send Authorization: Bearer/ },
    { name: 'expired', token: () => good.sign({}, { expiresInSec: -60 }), status: 401, reason: 'expired', message: /^expired: the access token has expired/ },
    { name: 'wrong audience', token: () => good.sign({}, { aud: 'urn:other' }), status: 401, reason: 'audience', message: /^audience: the access token is for another audience/ },
    { name: 'other organisation', token: () => good.sign({ org: 'rivals' }), status: 403,
      message: /private event members-day of organisation club; the token is for organisation rivals/ },
    { name: 'competitor of another event', token: () => good.sign({ roles: ['competitor'], entry: { event: 'open-day', number: '3' } }), status: 403,
      message: /private event members-day; the competitor token is for event open-day/ },
  ];
  for (const c of cases) {
    const res = await get(STANDINGS, c.token && (await c.token()));
    const body = (await res.json()) as { error: { code: string; message: string; reason?: string } };
    t.equal(res.status, c.status, `${c.name}: ${c.status}`);
    t.match(body.error.message, c.message, `${c.name}: says why`);
    if (c.status === 401) {
      t.same([body.error.code, body.error.reason], ['invalid_token', c.reason], `${c.name}: names the reason`);
      t.match(res.headers.get('www-authenticate'), new RegExp(`^Bearer error="invalid_token", error_description="${c.reason}: `), `${c.name}: WWW-Authenticate`);
    } else {
      t.equal(body.error.code, 'forbidden', `${c.name}: forbidden`);
    }
  }
  for (const path of ['/api/sessions/club-ring/race-1/results', '/api/sessions/club-ring/race-1/flags', '/api/sessions/club-ring/race-1/control-log',
    '/api/sessions/club-ring/race-1/cars/3/laps', '/api/events/club-ring/members-day']) {
    const res = await get(path);
    t.equal(res.status, 401, `${path} without a token: 401`);
    await res.arrayBuffer();
  }
});

t.test('accepted: any role of the organisation, a competitor of the event', async (t) => {
  for (const [name, claims] of [['race control of club', {}], ['viewer of club', { roles: ['viewer'] }],
    ['competitor of members-day', { roles: ['competitor'], entry: { event: 'members-day', number: '05' } }]] as const) {
    const res = await get(STANDINGS, await good.sign(claims));
    t.equal(res.status, 200, `${name}: 200`);
    t.equal(((await res.json()) as { seq: number }).seq, 5, `${name}: the standings`);
  }
  const event = await get('/api/events/club-ring/members-day', await good.sign({ roles: ['viewer'] }));
  t.equal(event.status, 200, 'the private event itself for its organisation');
  t.match(await event.json(), { event: 'members-day', sessions: [{ id: 'race-1' }] });
  const pub = await get('/api/sessions/club-ring/open-1/standings');
  t.equal(pub.status, 200, 'a public session needs no token');
  await pub.arrayBuffer();
});

t.test('lists leave out private events the caller may not see', async (t) => {
  await Promise.all([secret.health(), open.health()]);
  const staff = await good.sign({});
  const names = async (path: string, token?: string) => {
    const body = (await (await get(path, token)).json()) as { sessions?: { session: string }[]; events?: { event: string }[] };
    return (body.sessions?.map((s) => s.session) ?? body.events?.map((e) => e.event) ?? []).sort();
  };
  await waitFor(async () => (await names('/api/sessions', staff)).length === 2, 'both sessions live');
  t.same(await names('/api/sessions'), ['open-1'], 'anonymous: public sessions only');
  t.same(await names('/api/sessions', await good.sign({ org: 'rivals' })), ['open-1'], 'another organisation: public only');
  t.same(await names('/api/events'), ['open-day'], 'anonymous: public events only');
  t.same(await names('/api/events', staff), ['members-day', 'open-day'], 'its organisation sees its private event');
  t.same(await names('/api/events', await good.sign({ roles: ['competitor'], entry: { event: 'open-day', number: '3' } })), ['open-day'],
    'a competitor of another event does not');
  const bad = await get('/api/events', await good.sign({}, { expiresInSec: -60 }));
  t.equal(bad.status, 401, 'a token that is sent must be valid, even for a list');
  await bad.arrayBuffer();
});

t.test('without a verifier, private data is refused with 403', async (t) => {
  const bare = await startTestGateway(t, gatewayNc);
  const res = await get(STANDINGS, await good.sign({}), bare.url);
  t.equal(res.status, 403);
  t.match(await res.json(), { error: { code: 'forbidden', message: /this gateway has no identity provider configured/ } });
});

t.test('POST /api/events: timing or admin of the declaration\'s org', async (t) => {
  const post = (body: object, token?: string) => fetch(`${gw.url}/api/events`, {
    method: 'POST', body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
  });
  const owned = declaration('club-cup', 'cup-1', { org: 'club' });
  const created = await post(owned, await good.sign({ roles: ['timing'] }));
  t.equal(created.status, 201, 'timing of the org: 201');
  t.match(await created.json(), { track: 'club-ring', event: 'club-cup' });

  const viewer = await post(owned, await good.sign({ roles: ['viewer'] }));
  t.equal(viewer.status, 403, 'viewer of the org: 403');
  t.match(await viewer.json(), { error: /the role timing is needed/ });
  const rivals = await post(owned, await good.sign({ org: 'rivals', roles: ['admin'] }));
  t.equal(rivals.status, 403, 'admin of another org: 403');
  t.match(await rivals.json(), { error: /organisation rivals, not club/ });

  const none = await post(owned);
  t.equal(none.status, 401, 'no token: 401');
  t.match(none.headers.get('www-authenticate'), /^Bearer error="invalid_token"/);
  t.match(await none.json(), { reason: 'missing' });
  const expired = await post(owned, await good.sign({ roles: ['admin'] }, { expiresInSec: -60 }));
  t.equal(expired.status, 401, 'expired token: 401');
  t.match(await expired.json(), { reason: 'expired' });

  const unowned = await post(declaration('loose', 'l-1'));
  t.equal(unowned.status, 201, 'a declaration without org: loopback-only as before');
  await unowned.arrayBuffer();
  const takeover = await post(declaration('club-cup', 'cup-1', { org: 'rivals' }), await good.sign({ org: 'rivals', roles: ['admin'] }));
  t.equal(takeover.status, 403, "another organisation cannot take over the event by renaming its org");
  t.match(await takeover.json(), { error: /organisation rivals, not club/ });
});
