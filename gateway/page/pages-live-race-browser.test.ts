import type { Page } from 'playwright-core';
import t, { type Test } from 'tap';
import { checkBoardConsistent, readBoard } from '../testing/board.ts';
import { artifactPath, launchChromium } from '../testing/browser.ts';
import { startLiveRace } from '../testing/live-race.ts';
import { measureTv } from '../testing/tv.ts';

// Issue 13, "a browser test per page against a live simulated race": the real simulator plays a 20-lap race for 20
// cars on the wall clock (about 50 s, slow enough that a loaded CI machine finishes the checks while it runs) through a real NATS, engine and gateway; while it runs, the live board equals
// the client library's view at its seq at two moments, TV mode fits the real field on a 1920×1080 screen, and the
// events page lists the session under "live now" and opens its board.

const CARS = 20;
const { track, session, host, gw } = await startLiveRace(t, { cars: CARS, speed: 25 });
const browser = await launchChromium(t);
const board = `/?track=${track}&session=${session.id}`;

async function open(t: Test, url: string, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport });
  t.teardown(() => context.close());
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${gw.url}${url}`);
  return { page, errors };
}

/** Waits until the page's view has the leader on `laps` laps or more, with the race still running. */
const leaderOn = (page: Page, laps: number) => page.waitForFunction((n) => {
  const view = window.pitwall?.view();
  return view?.state === 'running' && (view.rows[0]?.laps ?? 0) >= n;
}, laps, { timeout: 30_000 });

const leaderLaps = () => host.published().view?.rows[0]?.laps ?? 0;

t.test('the live board equals the client view at its seq, at two moments of the running race', async (t) => {
  const { page, errors } = await open(t, board);
  await leaderOn(page, 2);
  const first = await readBoard(page);
  checkBoardConsistent(t, first, 'first moment');
  t.equal(first.rows.length, CARS, `all ${CARS} cars on the board`);
  const firstLaps = first.view!.rows[0]!.laps;
  await leaderOn(page, firstLaps + 2);
  const second = await readBoard(page);
  checkBoardConsistent(t, second, 'second moment');
  t.ok(Number(second.seq) > Number(first.seq), `the seq moved on (${first.seq} → ${second.seq})`);
  const lapsOf = (b: typeof first) => b.view!.rows.reduce((sum, r) => sum + r.laps, 0);
  t.ok(lapsOf(second) > lapsOf(first), `laps went up between the moments (${lapsOf(first)} → ${lapsOf(second)} in all)`);
  t.equal(second.view!.state, 'running', 'the race is still running');
  await page.screenshot({ path: artifactPath('live-race-board-desktop.png'), fullPage: true });
  t.same(errors, [], 'no page errors');
});

t.test(`TV mode at 1920×1080 with the real field of ${CARS}: no scrolling, big text at least 4% of the height`, async (t) => {
  const { page, errors } = await open(t, `/tv?track=${track}&session=${session.id}`, { width: 1920, height: 1080 });
  await leaderOn(page, Math.max(10, leaderLaps() + 1)); // mid-race, the leaders' laps in double figures (the widest text)
  const tv = await measureTv(page);
  const view = await page.evaluate(() => window.pitwall?.view());
  t.equal(view?.state, 'running', `measured while the race runs (leader on lap ${view?.rows[0]?.laps})`);
  t.ok(tv.scrollHeight <= tv.height && tv.scrollWidth <= tv.width, `no scrolling (${tv.scrollWidth}×${tv.scrollHeight} in ${tv.width}×${tv.height})`);
  t.equal(tv.rows.length, CARS, `all ${CARS} cars`);
  t.same(tv.rows.filter((r) => r.bottom > tv.height || r.right > tv.width || r.top < 0).map((r) => r.car), [], 'every row inside the screen');
  const smallest = Math.min(...tv.rows.flatMap((r) => r.big.map((b) => b.fontPx)));
  t.ok(smallest >= 0.04 * tv.height, `position, number and laps at least ${0.04 * tv.height} px: smallest ${smallest.toFixed(1)} px (${(100 * smallest / tv.height).toFixed(2)}%)`);
  t.same(tv.rows.flatMap((r) => r.big.filter((b) => b.clipped).map((b) => `${r.car} ${b.key} ${b.text}`)), [], 'none of them clipped');
  await page.screenshot({ path: artifactPath('live-race-tv-1920x1080.png') });
  t.same(errors, [], 'no page errors');
});

t.test('the events page lists the running session under "live now"; its link opens its board', async (t) => {
  const { page, errors } = await open(t, '/events');
  // Engines report once a second: wait for the session in the list rather than for the first load.
  await page.waitForFunction((s) => document.querySelector(`#live li[data-session="${s}"]`) !== null, session.id, { timeout: 10_000 });
  t.equal(host.published().view?.state, 'running', 'listed while the race runs');
  t.notOk(await page.locator(`#upcoming li[data-session="${session.id}"], #recent li[data-session="${session.id}"]`).count(), 'and only under live now');
  await page.screenshot({ path: artifactPath('live-race-events-desktop.png'), fullPage: true });
  await page.click(`#live a[href="${board}"]`);
  await page.waitForURL(`${gw.url}${board}`);
  await page.waitForFunction((s) => window.pitwall?.view()?.session === s && document.getElementById('board')?.dataset.seq !== undefined, session.id, { timeout: 10_000 });
  checkBoardConsistent(t, await readBoard(page), 'the board opened from the events page');
  t.same(errors, [], 'no page errors');
});
