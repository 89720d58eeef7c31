import { Kvm } from '@nats-io/kv';
import t from 'tap';
import { putDeclaration } from '../../engine/declarations/store.ts';
import { GATEWAY_AUDIENCE } from '../../oidc/claims.ts';
import { requestClientToken } from '../../oidc/client-token.ts';
import { issueRiderCredentials } from '../../oidc/riders.ts';
import { startTestIdentity } from '../../oidc/testing/identity.ts';
import { createTokenVerifier } from '../auth/verifier.ts';
import { artifactPath, launchChromium } from '../testing/browser.ts';
import { startTestGateway } from '../testing/gateway.ts';
import { ELBE_MARKS, mapAtRest, readMap, startLiveSession } from '../testing/live-map.ts';
import { sampleView } from '../testing/race-views.ts';
import { REGATTA, startRiderNats } from '../testing/rider-stack.ts';

// Issue 15, "a browser test with an emulated geolocation sends positions from the rider page; the rider appears on
// the map": a phone (Chromium at 390×844, geolocation emulated on mark 3 of the Elbe course) opens /rider with the
// token `pitwall rider token` gives (issued by the real identity provider), and a spectator's map page of the live
// race shows the rider's number on mark 3; the phone moves to mark 5 and the dot follows. Real NATS, identity
// provider and gateway; the engine's session is a stand-in (fake-engine.ts) that only makes the race live.

const mark = (n: number) => ELBE_MARKS[n - 1]!;
const { nats, identity } = await startRiderNats(t);
await putDeclaration(await new Kvm(await nats.connectAs('admin')).open('events'), {
  ...REGATTA, marks: ELBE_MARKS, timingLines: [{ id: 'sf', kind: 'start-finish', points: [[mark(1).lat, mark(1).lon], [mark(4).lat, mark(4).lon]] }],
});
const idp = await startTestIdentity(t, nats);
const verifier = createTokenVerifier({ jwksUrl: idp.jwksUrl, issuer: idp.issuer, audience: GATEWAY_AUDIENCE });
const gw = await startTestGateway(t, await nats.connectAs('gateway'), {}, { verifier });
const session = REGATTA.sessions[0]!.id;
await startLiveSession(t, await nats.connectAs('engine'), gw.url, { ...sampleView({ track: REGATTA.track, session }), event: REGATTA.event, name: 'Race 1' });
const entry = { event: REGATTA.event, number: '05' };
const { client } = await issueRiderCredentials(identity, { org: 'club', entry });
const token = await requestClientToken(idp.issuer, client);
const browser = await launchChromium(t);

t.test('the rider page sends the phone\'s positions; the rider appears on the map where the phone is, and follows it', async (t) => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true,
    geolocation: { latitude: mark(3).lat, longitude: mark(3).lon, accuracy: 5 } });
  await phone.grantPermissions(['geolocation'], { origin: gw.url });
  t.teardown(() => phone.close());
  const spectator = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  t.teardown(() => spectator.close());
  const errors: string[] = [];
  const rider = await phone.newPage();
  const map = await spectator.newPage();
  for (const page of [rider, map]) page.on('pageerror', (error) => errors.push(error.message));

  await map.goto(`${gw.url}/map/${REGATTA.track}/${session}`);
  await map.waitForFunction(() => document.querySelectorAll('svg#map g.mark').length === 5, undefined, { timeout: 15_000 });
  t.equal((await readMap(map)).riders.length, 0, 'no rider on the map before the phone starts');

  await rider.goto(`${gw.url}/rider`);
  await rider.fill('#token', token);
  await rider.click('#start');
  await map.waitForFunction(() => document.querySelector('svg#map g.rider[data-number="05"]') !== null, undefined, { timeout: 15_000 });
  await mapAtRest(map);
  const first = await readMap(map);
  const dot = first.riders.find((r) => r.number === '05')!;
  const m3 = first.marks.find((m) => m.id === 'm3')!;
  t.same([dot.label, dot.title], ['05', '05 Yury'], 'the rider\'s number on the dot, its name in the title');
  t.ok(Math.abs(dot.x - m3.x) <= 1 && Math.abs(dot.y - m3.y) <= 1, `drawn on mark 3, where the phone is: (${dot.x.toFixed(1)}, ${dot.y.toFixed(1)}) and (${m3.x.toFixed(1)}, ${m3.y.toFixed(1)}) px`);

  await phone.setGeolocation({ latitude: mark(5).lat, longitude: mark(5).lon, accuracy: 3 });
  // The dot glides from mark 3 and reaches mark 5 only at the end of its glide.
  await map.waitForFunction(() => {
    const a = document.querySelector('svg#map g.rider[data-number="05"] circle')?.getBoundingClientRect();
    const b = document.querySelector('svg#map g.mark[data-mark="m5"] circle')?.getBoundingClientRect();
    return a !== undefined && b !== undefined && Math.abs(a.left + a.width / 2 - b.left - b.width / 2) <= 1 && Math.abs(a.top + a.height / 2 - b.top - b.height / 2) <= 1;
  }, undefined, { timeout: 15_000 });
  t.pass('the dot followed the phone to mark 5');
  await map.screenshot({ path: artifactPath('rider-on-map-desktop.png') });
  await rider.screenshot({ path: artifactPath('rider-page-tracking-390.png') });
  t.same(errors, [], 'no page errors');
});
