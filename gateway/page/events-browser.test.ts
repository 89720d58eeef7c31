import { Kvm } from '@nats-io/kv';
import t, { type Test } from 'tap';
import type { EventDeclaration } from '../../actors/contracts/declaration.ts';
import type { SessionState } from '../../actors/contracts/flags.ts';
import { putDeclaration } from '../../engine/declarations/store.ts';
import { startTestNats } from '../../engine/testing/nats.ts';
import { freePort } from '../../engine/servers/ports.ts';
import { GATEWAY_AUDIENCE } from '../../oidc/claims.ts';
import { startTestIdentity } from '../../oidc/testing/identity.ts';
import { createTokenVerifier } from '../auth/verifier.ts';
import { seriousAxeViolations, tabThrough, visibleControls } from '../testing/page-checks.ts';
import { artifactPath, launchChromium } from '../testing/browser.ts';
import { startFakeEngine } from '../testing/fake-engine.ts';
import { startTestGateway } from '../testing/gateway.ts';
import { sampleView } from '../testing/race-views.ts';

// Issue 13, the events and sessions page: live now, upcoming and recent from the declarations and the engines'
// reports; a private event is not listed to anonymous visitors, and its board asks for a login, which (through the
// real identity provider) opens it.

const nats = await startTestNats(t);
const port = await freePort();
const idp = await startTestIdentity(t, nats, { webRedirectUris: [`http://127.0.0.1:${port}/events`] });
await idp.accounts.init({ org: { id: 'club', name: 'Club' }, username: 'root', password: 'root-password-1' });
await idp.accounts.addAccount({ username: 'member', password: 'members-only-please', org: 'club', roles: ['viewer'] });
const verifier = createTokenVerifier({ jwksUrl: idp.jwksUrl, issuer: idp.issuer, audience: GATEWAY_AUDIENCE });
// Engines' reports are published once here, not every second: keep them listed for the whole test.
const gw = await startTestGateway(t, await nats.connectAs('gateway'), { port, staleMs: 600_000 }, { verifier, loginIssuer: idp.issuer });
const browser = await launchChromium(t);
const engineNc = await nats.connectAs('engine');

const events = await new Kvm(await nats.connectAs('admin')).open('events');
const declaration = (event: string, sessions: string[], isPrivate: boolean): EventDeclaration => ({
  track: 'club-ring', event, name: isPrivate ? 'Members day' : 'Open day', ...(isPrivate && { private: true, org: 'club' }),
  classes: [{ id: 'gt3', name: 'GT3' }, { id: 'gt4', name: 'GT4' }],
  sessions: sessions.map((id) => ({ id, name: id.replace(/-/g, ' '), type: 'race', finish: { laps: 10 } })),
  entries: [],
});
await putDeclaration(events, declaration('open-day', ['practice-1', 'race-1', 'race-2'], false));
await putDeclaration(events, declaration('members-day', ['members-race'], true));

/** A session an engine runs and reports (health) in `state`. */
async function running(t: Test, event: string, session: string, state: SessionState) {
  const engine = await startFakeEngine(engineNc, { view: { ...sampleView({ track: 'club-ring', session }), event, state }, node: `node-${session}` });
  t.teardown(() => engine.stop());
  await engine.health();
  return engine;
}

const listed = (page: import('playwright-core').Page, list: string) =>
  page.locator(`#${list} li`).evaluateAll((items) => items.map((li) => (li as HTMLElement).dataset.session));

t.test('live now, upcoming and recent; private events hidden; every control by keyboard; a board opened with Enter', async (t) => {
  await running(t, 'open-day', 'practice-1', 'running');
  await running(t, 'open-day', 'race-1', 'finished');
  await running(t, 'members-day', 'members-race', 'running');
  await t.resolves(fetch(`${gw.url}/api/sessions`).then(async (r) => (await r.json()) as unknown), 'the gateway answers');

  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  t.teardown(() => context.close());
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${gw.url}/events`);
  await page.waitForFunction(() => document.body.dataset.loaded === 'true', undefined, { timeout: 10_000 });
  t.same(await listed(page, 'live'), ['practice-1'], 'live now');
  t.same(await listed(page, 'upcoming'), ['race-2'], 'upcoming: declared, no engine runs it yet');
  t.same(await listed(page, 'recent'), ['race-1'], 'recent: finished');
  t.equal(await page.locator('#recent a:has-text("Results")').getAttribute('href'), '/results/club-ring/race-1', 'a finished session links to its results');
  t.notMatch(await page.locator('main').textContent(), /Members day|members race/, 'the private event is not listed without a login');
  t.equal(await page.locator('#login').isVisible(), true, 'a login is offered');
  t.same(await seriousAxeViolations(page), [], 'events page: axe-core finds no serious or critical violation');
  const reached = await tabThrough(page);
  t.same((await visibleControls(page)).filter((c) => !reached.includes(c)), [], `every control reached by Tab (${reached.length})`);
  await page.screenshot({ path: artifactPath('events-desktop.png'), fullPage: true });

  await page.setViewportSize({ width: 390, height: 844 });
  t.same(await seriousAxeViolations(page), [], 'events page on a phone: axe-core finds no serious or critical violation');
  await page.screenshot({ path: artifactPath('events-phone-390x844.png'), fullPage: true });

  // Keyboard only: Tab to the live session's link, Enter opens its board.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  for (let i = 0; i < 20 && (await page.evaluate(() => document.activeElement?.getAttribute('href'))) !== '/?track=club-ring&session=practice-1'; i++) await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.waitForURL(`${gw.url}/?track=club-ring&session=practice-1`);
  await page.waitForFunction(() => window.pitwall?.view()?.session === 'practice-1', undefined, { timeout: 10_000 });
  t.pass('the board of the live session opened from the keyboard');
  t.same(errors, [], 'no page errors');
});

t.test('a private event\'s board asks for a login; the club member logs in and follows it', async (t) => {
  const engine = await running(t, 'members-day', 'members-race', 'running');
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  t.teardown(() => context.close());
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const board = `${gw.url}/?track=club-ring&session=members-race`;
  await page.goto(board);
  await page.waitForSelector('#login:visible', { timeout: 10_000 });
  t.match(await page.locator('#access-message').textContent(), /private event ?members-day|members-day/, 'says which private event');
  t.match(await page.locator('#access-message').textContent(), /log in/, 'and what to do');
  t.equal(await page.locator('#board tbody tr').count(), 0, 'no rows shown');
  t.same(await seriousAxeViolations(page), [], 'private board, not logged in: axe-core finds no serious or critical violation');

  await page.click('#login');
  await page.waitForURL((url) => url.href.startsWith(idp.issuer), { timeout: 10_000 });
  await page.fill('#username', 'member');
  await page.fill('#password', 'members-only-please');
  await page.click('button[type=submit]');
  await page.waitForFunction((gateway) => location.href.startsWith(gateway) || document.title.startsWith('Allow access'), gw.url, { timeout: 10_000 });
  if (!page.url().startsWith(gw.url)) await page.locator('button:has-text("Allow")').click();
  await page.waitForURL(board, { timeout: 10_000 });
  await page.waitForFunction((s) => document.getElementById('board')?.dataset.seq === String(s), engine.seq(), { timeout: 10_000 });
  t.same(await page.evaluate(() => window.pitwall?.view()), engine.view(), 'back on the board, which shows the private session');
  t.equal(await page.locator('#access').isVisible(), false, 'no login asked for any more');

  await page.goto(`${gw.url}/events`);
  await page.waitForFunction(() => document.body.dataset.loaded === 'true', undefined, { timeout: 10_000 });
  t.match(await listed(page, 'live'), ['members-race'], 'the events page lists the private session to the member');
  t.equal(await page.locator('#logout').isVisible(), true, 'and offers to log out');
  t.same(errors, [], 'no page errors');
});
