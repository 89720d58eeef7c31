import t from 'tap';
import { riderDevice, type GpsFix } from '../../actors/contracts/gps.ts';
import { subjects } from '../../actors/contracts/subjects.ts';
import { readEdgeMessages } from '../../engine/testing/edge-stream.ts';
import { GATEWAY_AUDIENCE } from '../../oidc/claims.ts';
import { requestClientToken } from '../../oidc/client-token.ts';
import { issueRiderCredentials } from '../../oidc/riders.ts';
import { startTestIdentity } from '../../oidc/testing/identity.ts';
import { createTokenVerifier } from '../auth/verifier.ts';
import { artifactPath, launchChromium } from '../testing/browser.ts';
import { startTestGateway } from '../testing/gateway.ts';
import { seriousAxeViolations } from '../testing/page-checks.ts';
import { REGATTA, startRiderNats } from '../testing/rider-stack.ts';

// Issue 15: a rider's phone (Chromium at 390×844 with an emulated geolocation) opens /rider, pastes the token that
// `pitwall rider token` gives (issued here the same way, by the real identity provider), and its fixes reach EDGE on
// gps.<track>.<device> for the token's entry.
const { nats, identity } = await startRiderNats(t);
const idp = await startTestIdentity(t, nats);
const verifier = createTokenVerifier({ jwksUrl: idp.jwksUrl, issuer: idp.issuer, audience: GATEWAY_AUDIENCE });
const gw = await startTestGateway(t, await nats.connectAs('gateway'), {}, { verifier });
const entry = { event: REGATTA.event, number: '05' };
const { client } = await issueRiderCredentials(identity, { org: 'club', entry });
const token = await requestClientToken(idp.issuer, client);
const edge = await nats.connectAs('admin');
const fixes = async () => (await readEdgeMessages(edge, subjects.gps(REGATTA.track, riderDevice(entry)))).map((m) => m.data as GpsFix);

const browser = await launchChromium(t);
const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true,
  geolocation: { latitude: 53.5457, longitude: 9.8054, accuracy: 5 } });
await context.grantPermissions(['geolocation'], { origin: gw.url });
t.teardown(() => context.close());
const page = await context.newPage();
const errors: string[] = [];
page.on('pageerror', (error) => errors.push(error.message));

t.test('the rider pastes the token, starts tracking, and the fixes are stored for the entry', async (t) => {
  await page.goto(`${gw.url}/rider`);
  await page.fill('#token', token);
  await page.click('#save');
  await page.reload(); // the token is kept on the phone
  t.equal(await page.inputValue('#token'), token, 'the token survives a reload (localStorage)');
  await page.click('#start');
  await page.waitForFunction(() => document.querySelector('#entry')?.textContent === 'Reporting for regatta #05', undefined, { timeout: 10_000 });
  await page.waitForFunction(() => Number(document.querySelector('#acked')?.textContent) >= 1, undefined, { timeout: 10_000 });
  t.equal(await page.textContent('#connection'), 'connected');
  t.equal(await page.textContent('#accuracy'), '5 m');
  await context.setGeolocation({ latitude: 53.5462, longitude: 9.8061, accuracy: 3 });
  await page.waitForFunction(() => document.querySelector('#accuracy')?.textContent === '3 m', undefined, { timeout: 10_000 });
  await page.waitForFunction(() => document.querySelector('#queued')?.textContent === '0', undefined, { timeout: 10_000 });

  const stored = await fixes();
  t.ok(stored.length >= 2, `${stored.length} fixes in EDGE`);
  t.match(stored[0], { entry, via: 'ws', lat: 53.5457, lon: 9.8054, accuracyM: 5 });
  t.match(stored.at(-1), { entry, via: 'ws', lat: 53.5462, lon: 9.8061, accuracyM: 3 });
  t.equal(Number(await page.textContent('#acked')), stored.length, 'the page counts what the gateway stored');
  // (Chromium's emulated geolocation may report a passing "position unavailable", as phones do: not a failure here.)
  t.notMatch(await page.textContent('#problem'), /refused|token|HTTPS/, 'no refusal shown');
  await page.screenshot({ path: artifactPath('rider-page-390.png'), fullPage: true });
  t.same(await seriousAxeViolations(page), [], 'axe: no serious or critical violations');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  t.ok(overflow <= 0, `fits 390 px wide (overflow ${overflow} px)`);
  t.same(errors, [], 'no page errors');
});

t.test('a token that is not a rider token is refused in words', async (t) => {
  const other = await context.newPage();
  await other.goto(`${gw.url}/rider`);
  await other.fill('#token', 'not-a-token');
  await other.click('#start');
  await other.waitForFunction(() => /The token was refused/.test(document.querySelector('#problem')?.textContent ?? ''), undefined, { timeout: 10_000 });
  t.match(await other.textContent('#problem'), /The token was refused \(malformed: .*\): ask the organiser for a new one\./);
  t.equal(await other.textContent('#connection'), 'token refused');
  await other.close();
});
