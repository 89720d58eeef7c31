import { Kvm } from '@nats-io/kv';
import t, { type Test } from 'tap';
import { putDeclaration } from '../../engine/declarations/store.ts';
import type { Page } from 'playwright-core';
import type { SessionView } from '../../actors/contracts/view.ts';
import { freePort } from '../../engine/servers/ports.ts';
import { GATEWAY_AUDIENCE } from '../../oidc/claims.ts';
import { startTestIdentity } from '../../oidc/testing/identity.ts';
import { createTokenVerifier } from '../auth/verifier.ts';
import { artifactPath, launchChromium } from '../testing/browser.ts';
import { startTestGateway } from '../testing/gateway.ts';
import { RC_DECLARATION, RC_REF, startRaceControlStack } from '../testing/race-control-stack.ts';
import { seriousAxeViolations, tabThrough, visibleControls } from '../testing/page-checks.ts';

// The "Done when": an official logs in through the real identity provider on the race-control page, starts
// the race, sets a full-course yellow, gives a time penalty and removes a passing; a second browser on the spectator
// page shows each change within 5 s; the session replayed from its stream gives the same standings.
const SPECTATOR_BOUND_MS = 5000;

const stack = await startRaceControlStack(t, { private: false });
// A second event of the club at the track, which no timing source opens: race control opens it from the page.
const NIGHT = { ...RC_DECLARATION, event: 'members-night', name: 'Members night', sessions: [{ id: 'night-race', name: 'Night race', type: 'race' as const, finish: { laps: 10 } }] };
await putDeclaration(await new Kvm(await stack.nats.connectAs('admin')).open('events'), NIGHT);
const port = await freePort();
const idp = await startTestIdentity(t, stack.nats, { webRedirectUris: [`http://127.0.0.1:${port}/race-control`] });
await idp.accounts.init({ org: { id: 'club', name: 'Club' }, username: 'root', password: 'root-password-1' });
await idp.accounts.addAccount({ username: 'director', password: 'flags-and-penalties', org: 'club', roles: ['race-control'] });
const verifier = createTokenVerifier({ jwksUrl: idp.jwksUrl, issuer: idp.issuer, audience: GATEWAY_AUDIENCE });
const gw = await startTestGateway(t, await stack.nats.connectAs('gateway'), { port }, { verifier, loginIssuer: idp.issuer });
const browser = await launchChromium(t);
const query = `?track=${RC_REF.track}&session=${RC_REF.session}`;

async function open(path: string): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext(); // its own storage: the spectator is not logged in
  const page = await context.newPage();
  t.teardown(() => context.close());
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${gw.url}${path}`);
  return { page, errors };
}

const official = await open(`/race-control${query}`);
const spectator = await open(`/${query}`);
const shown = (page: Page) => page.evaluate(() => window.pitwall?.view()) as Promise<SessionView | undefined>;

/** Clicks on the official's page, then waits (≤ 5 s) for the spectator's page to show the change; returns the ms. */
async function seenBySpectator(t: Test, what: string, act: () => Promise<void>, shows: string, arg?: unknown): Promise<number> {
  const started = Date.now();
  await act();
  await spectator.page.waitForFunction(shows, arg, { timeout: SPECTATOR_BOUND_MS });
  const ms = Date.now() - started;
  t.pass(`${what}: on the spectator page after ${ms} ms`);
  return ms;
}

t.test('the official logs in through the identity provider', async (t) => {
  const { page } = official;
  await page.click('#login');
  await page.waitForURL((url) => url.href.startsWith(idp.issuer), { timeout: 10_000 });
  await page.fill('#username', 'director');
  await page.fill('#password', 'flags-and-penalties');
  await page.click('button[type=submit]');
  // The consent page, when the provider shows one (its URL is an /interaction/ one, like the login's).
  const allow = page.locator('button:has-text("Allow")');
  await page.waitForFunction((gateway) => location.href.startsWith(gateway) || document.title.startsWith('Allow access'), gw.url, { timeout: 10_000 });
  if (!page.url().startsWith(gw.url)) await allow.click();
  await page.waitForURL((url) => url.href.startsWith(`${gw.url}/race-control`), { timeout: 10_000 });
  try {
    await page.waitForFunction(() => document.getElementById('who')?.textContent === 'club: race-control', undefined, { timeout: 10_000 });
  } catch (error) {
    t.comment(`page at ${page.url()}: status ${await page.locator('#status').textContent()}`);
    throw error;
  }
  t.equal(page.url(), `${gw.url}/race-control${query}`, 'back on the page it started from, without the code in the address');
  await page.waitForFunction(() => window.pitwall?.view()?.rows.length === 3, undefined, { timeout: 10_000 });
  t.equal(await page.locator('#desk').isVisible(), true, 'the desk is shown to the logged-in official');
});

t.test('start, full-course yellow, time penalty, removed passing: each on the spectator page within 5 s', async (t) => {
  const { page } = official;
  await page.click('#session-buttons button[data-verb=start]');
  await page.waitForFunction(() => document.getElementById('reply')?.textContent === 'start: accepted', undefined, { timeout: 10_000 });
  await spectator.page.waitForFunction(() => window.pitwall?.view()?.state === 'running', undefined, { timeout: SPECTATOR_BOUND_MS });
  for (const lap of [1, 2, 3]) await stack.passing('7', lap);
  await stack.passing('12', 1);
  await spectator.page.waitForFunction(() => window.pitwall?.view()?.rows.find((r) => r.number === '7')?.laps === 3, undefined, { timeout: 10_000 });

  const times: number[] = [];
  times.push(await seenBySpectator(t, 'full-course yellow', () => page.click('#flag-buttons button[data-flag=fcy]'),
    'document.getElementById("flag")?.dataset.flag === "fcy"'));

  times.push(await seenBySpectator(t, 'time penalty', async () => {
    await page.selectOption('#penalty-form select[name=car]', '7');
    await page.selectOption('#penalty-form select[name=type]', 'time');
    await page.fill('#penalty-form input[name=seconds]', '5');
    await page.fill('#penalty-form input[name=why]', 'jump start');
    await page.click('#penalty-form button[type=submit]');
  }, 'document.getElementById("penalties")?.textContent?.includes("#7 +5.000 s — jump start")'));

  const lapsBefore = (await shown(spectator.page))!.rows.find((r) => r.number === '7')!.laps;
  times.push(await seenBySpectator(t, 'removed passing', async () => {
    await page.selectOption('#correction-form select[name=type]', 'remove-passing');
    await page.selectOption('#correction-form select[name=car]', '7');
    await page.click('#correction-form button[type=submit]');
  }, `document.querySelector('#board tr[data-car="7"] td.laps')?.textContent === "${lapsBefore - 1}"`));
  t.comment(`spectator latency (click → shown): ${times.join(', ')} ms`);

  const log = await spectator.page.locator('#control-log li').allTextContents();
  t.match(log, [/Passing removed|passing removed/, /time penalty \+5 s \(jump start\)/, /Full-course yellow/, /Session started/], 'the spectator sees the control log, newest first');
  t.same(official.errors, [], 'no errors on the official page');
  t.same(spectator.errors, [], 'no errors on the spectator page');
  await page.screenshot({ path: artifactPath('race-control-page.png'), fullPage: true });
  await spectator.page.screenshot({ path: artifactPath('spectator-race-control.png'), fullPage: true });
});

t.test('the session replayed from its stream gives the standings both pages show', async (t) => {
  const { replayed } = await stack.settled();
  const seq = stack.host.published().seq;
  for (const { page } of [official, spectator]) {
    await page.waitForFunction((s) => (window.pitwall?.seq() ?? -1) >= s, seq, { timeout: 10_000 });
  }
  t.same(await shown(spectator.page), replayed, 'spectator page = fold of RACE');
  t.same(await shown(official.page), replayed, 'race-control page = fold of RACE');
  t.equal(replayed.rows.find((r) => r.number === '7')!.penaltyUs, 5_000_000);
  t.equal(replayed.flag, 'fcy');
});

t.test('the session menu lists the club\'s declared sessions; a declared one that is not live is opened from the page', async (t) => {
  const { page } = official;
  t.match(await page.locator('#session-choice option').allTextContents(), ['Members day: Race 1 (live: open)', 'Members night: Night race (not open)'],
    'the live session marked, the other not open');
  t.equal(await page.locator('#open-session').isVisible(), false, 'no Open button for a live session');
  await page.selectOption('#session-choice', `${RC_REF.track}/night-race`);
  await page.waitForURL(`${gw.url}/race-control?track=${RC_REF.track}&session=night-race`);
  await page.locator('#open-session').waitFor({ state: 'visible', timeout: 10_000 });
  t.match(await page.locator('#status').textContent(), /not open: open it/, 'the page says what to do');
  t.same(await seriousAxeViolations(page), [], 'race control, a session not open: axe-core finds no serious or critical violation');
  const reached = await tabThrough(page);
  t.same((await visibleControls(page)).filter((c) => !reached.includes(c)), [], `every control reached by Tab (${reached.length})`);
  t.ok(reached.some((c) => c.startsWith('select#session-choice')) && reached.some((c) => c.startsWith('button#open-session|Open')), 'the menu and Open among them');

  await page.focus('#open-session');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window.pitwall?.view()?.session === 'night-race' && window.pitwall.view()?.state === 'open', undefined, { timeout: 15_000 });
  t.equal(await page.locator('#desk').isVisible(), true, 'the desk follows the opened session');
  t.match(await page.locator('#control-log li').allTextContents(), [/Session opened/], 'its control log says it was opened');
  t.equal(await page.locator('#open-session').isVisible(), false, 'no Open button once it is live');
  t.same(await seriousAxeViolations(page), [], 'race control, the opened session: axe-core finds no serious or critical violation');
  t.same(official.errors, [], 'no errors on the official page');
  await page.screenshot({ path: artifactPath('race-control-opened.png'), fullPage: true });
});
