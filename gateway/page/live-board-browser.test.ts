import { Kvm } from '@nats-io/kv';
import t, { type Test } from 'tap';
import type { Page } from 'playwright-core';
import type { EventDeclaration } from '../../actors/contracts/declaration.ts';
import type { SessionView } from '../../actors/contracts/view.ts';
import { putDeclaration } from '../../engine/declarations/store.ts';
import { startTestNats } from '../../engine/testing/nats.ts';
import { seriousAxeViolations, tabThrough, visibleControls } from '../testing/page-checks.ts';
import { checkBoardConsistent, readBoard } from '../testing/board.ts';
import { measureTv } from '../testing/tv.ts';
import { artifactPath, launchChromium } from '../testing/browser.ts';
import { startFakeEngine, type FakeEngine } from '../testing/fake-engine.ts';
import { startTestGateway } from '../testing/gateway.ts';
import { createRaceSteps, sampleView } from '../testing/race-views.ts';
import { boardRows } from './board-rows.ts';

// Issue 13, the live board and TV mode: a race simulated lap by lap behind a real NATS and gateway; the page's rows
// equal the client library's view at the page's seq (data-seq), in every mode, through a refresh and a reconnect;
// TV sizes measured from the rendered DOM; axe-core and a keyboard-only walk on each page; screenshots.

const CLASS_NAMES = { gt3: 'GT3 Pro', gt4: 'GT4 Am' };
const nats = await startTestNats(t);
const engineNc = await nats.connectAs('engine');
const gatewayNc = await nats.connectAs('gateway');
const gw = await startTestGateway(t, gatewayNc);
const browser = await launchChromium(t);

/** The declaration the page reads class names from (the view carries class ids). */
async function declare(track: string, sessions: string[]) {
  const declaration: EventDeclaration = {
    track, event: 'test-meeting', name: 'Test meeting',
    classes: Object.entries(CLASS_NAMES).map(([id, name]) => ({ id, name })),
    sessions: sessions.map((id) => ({ id, name: `Race ${id}`, type: 'race', finish: { laps: 30 } })),
    entries: [],
  };
  await putDeclaration(await new Kvm(await nats.connectAs('admin')).open('events'), declaration);
}

/** Adds what the sample race lacks: positions gained since the grid, a car in the pit lane, a time penalty. */
function enrich(view: SessionView, step: number): SessionView {
  return {
    ...view,
    rows: view.rows.map((r, i) => {
      const grid = Number(r.name.slice(-1).charCodeAt(0) - 64);
      const row = { ...r, positionsGained: grid - (i + 1) };
      if (r.number === '10') Object.assign(row, { pit: step % 5 === 0, pitStops: Math.floor(step / 5) });
      if (r.number === '05') Object.assign(row, { penaltyUs: 5_000_000 });
      return row;
    }),
  };
}

async function race(engine: FakeEngine, steps: number) {
  const step = createRaceSteps(13);
  for (let i = 0; i < steps; i++) await engine.update(enrich(step(engine.view()), i));
}

async function openPage(t: Test, path: string, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport });
  t.teardown(() => context.close());
  const page = await context.newPage();
  // Keeps the page's WebSockets where a test can drop one.
  await page.addInitScript(() => {
    const sockets: WebSocket[] = [];
    (window as unknown as { sockets: WebSocket[] }).sockets = sockets;
    window.WebSocket = class extends WebSocket {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        sockets.push(this);
      }
    };
  });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${gw.url}${path}`);
  return { page, errors };
}

/** Waits until the page shows `seq` and has the declared class names. */
const showing = (page: Page, seq: number) =>
  page.waitForFunction((s) => document.getElementById('board')?.dataset.seq === String(s) &&
    (document.querySelector('#board td.class')?.textContent ?? '').startsWith('GT'), seq, { timeout: 15_000 });

const shownCars = (page: Page) => page.evaluate(() => Array.from(document.querySelectorAll<HTMLTableRowElement>('#board tbody tr'), (tr) => tr.dataset.car));

t.test('the board equals the client view at its seq, overall, by class and by best lap, through a refresh and a reconnect', async (t) => {
  await declare('sebring', ['race-1']);
  const engine = await startFakeEngine(engineNc, { view: enrich(sampleView({ track: 'sebring', session: 'race-1', cars: 12, lapsToGo: 30 }), 1), seq: 50 });
  t.teardown(() => engine.stop());
  const { page, errors } = await openPage(t, '/?track=sebring&session=race-1');
  await showing(page, 50);
  await page.evaluate(() => document.querySelectorAll('tr[data-car]').forEach((tr) => tr.setAttribute('data-marked', '')));
  await race(engine, 30);
  await showing(page, engine.seq());
  const board = await readBoard(page);
  checkBoardConsistent(t, board, 'overall, by position', CLASS_NAMES);
  t.same(board.view, engine.view(), 'the page ends with the engine view');
  t.equal(await page.locator('tr[data-car]:not([data-marked])').count(), 0, 'the same row elements throughout: updated in place');
  t.ok(board.rows.some((r) => r.cells[9] === 'PIT') || board.rows.some((r) => /^\d+$/.test(r.cells[9] ?? '')), 'pit state shown');
  t.ok(board.rows.some((r) => /^[+−]\d+$/.test(r.cells[10] ?? '')), 'positions gained shown');
  t.equal(board.rows.find((r) => r.car === '05')?.cells[11], '+5.000', 'the penalty shown');

  // Best-lap marks: the session's fastest lap, each class's fastest, written in the cell's title too.
  const view = engine.view();
  const fastest = view.rows.reduce((a, b) => ((b.bestLapUs ?? Infinity) < (a.bestLapUs ?? Infinity) ? b : a));
  const marks = await page.evaluate(() => Array.from(document.querySelectorAll<HTMLElement>('#board td.best[data-best]'), (td) =>
    ({ car: (td.parentElement as HTMLElement).dataset.car, best: td.dataset.best, title: td.title })));
  t.same(marks.filter((m) => m.best === 'overall'), [{ car: fastest.number, best: 'overall', title: 'fastest lap of the session' }], 'the fastest lap is marked');
  t.same(marks.filter((m) => m.best === 'class').map((m) => m.car).sort(),
    boardRows(view, { sort: 'position' }).filter((s) => s.best === 'class').map((s) => s.row.number).sort(), 'each class\'s fastest lap is marked');

  await page.selectOption('#class-filter', 'gt4');
  await page.selectOption('#sort', 'best');
  t.match(page.url(), /class=gt4/, 'the mode is kept in the address');
  const gt4ByBest = view.rows.filter((r) => r.class === 'gt4').sort((a, b) => (a.bestLapUs ?? Infinity) - (b.bestLapUs ?? Infinity) || a.position - b.position);
  t.same(await shownCars(page), gt4ByBest.map((r) => r.number), 'GT4 only, by best lap');
  t.same(await page.locator('#board td.class').allTextContents(), gt4ByBest.map(() => 'GT4 Am'), 'class names from the declaration');
  t.same(await page.locator('#board td.pos').allTextContents(), gt4ByBest.map((r) => String(r.classPosition)), 'class positions');
  await page.screenshot({ path: artifactPath('live-board-class-desktop.png'), fullPage: true });

  await page.reload();
  await showing(page, engine.seq());
  t.same(await shownCars(page), gt4ByBest.map((r) => r.number), 'a refresh shows the same board');
  t.equal(await page.locator('#class-filter').inputValue(), 'gt4', 'and the same choices');
  await page.selectOption('#class-filter', '');
  await page.selectOption('#sort', 'position');

  // A reconnect: the connection drops (closed under the page, as a lost network would), the race goes on meanwhile.
  // (Not by restarting the gateway on its port: uWS does not set SO_REUSEADDR, see server.test.ts.)
  await page.evaluate(() => (window as unknown as { sockets: WebSocket[] }).sockets.at(-1)?.close());
  await page.waitForFunction(() => document.getElementById('status')?.dataset.state !== 'open', undefined, { timeout: 10_000 });
  await race(engine, 5);
  await showing(page, engine.seq());
  t.equal(await page.evaluate(() => (window as unknown as { sockets: WebSocket[] }).sockets.length), 2, 'the page opened a new connection');
  checkBoardConsistent(t, await readBoard(page), 'after the reconnect', CLASS_NAMES);
  t.same(errors, [], 'no page errors');
  await page.screenshot({ path: artifactPath('live-board-desktop.png'), fullPage: true });
});

for (const { cars, columns, minShare } of [{ cars: 20, columns: 2, minShare: 0.04 }, { cars: 8, columns: 1, minShare: 0.08 }]) {
  t.test(`TV mode at 1920×1080: ${cars} cars in ${columns} column(s), no scrolling, big text at least ${minShare * 100}% of the height`, async (t) => {
    const session = `tv-${cars}`;
    await declare('daytona', [session]);
    const engine = await startFakeEngine(engineNc, { view: sampleView({ track: 'daytona', session, cars, lapsToGo: 200 }) });
    t.teardown(() => engine.stop());
    const step = createRaceSteps(5);
    for (let i = 0; i < cars * 6; i++) await engine.update(step(engine.view())); // laps in double figures, times everywhere
    const { page, errors } = await openPage(t, `/tv?track=daytona&session=${session}`, { width: 1920, height: 1080 });
    await showing(page, engine.seq());
    const tv = await measureTv(page);
    t.ok(tv.scrollHeight <= tv.height && tv.scrollWidth <= tv.width, `no scrolling (${tv.scrollWidth}×${tv.scrollHeight} in ${tv.width}×${tv.height})`);
    t.same(tv.rows.map((r) => r.car), engine.view().rows.map((r) => r.number), 'every car, in order');
    t.same(tv.rows.filter((r) => r.bottom > tv.height || r.right > tv.width || r.top < 0).map((r) => r.car), [], 'every row inside the screen');
    t.equal(new Set(tv.rows.map((r) => r.left)).size, columns, `${columns} column(s)`);
    const smallest = Math.min(...tv.rows.flatMap((r) => r.big.map((b) => b.fontPx)));
    t.ok(smallest >= minShare * tv.height, `position, number and laps at least ${minShare * tv.height} px: smallest ${smallest.toFixed(1)} px (${(100 * smallest / tv.height).toFixed(2)}%)`);
    t.same(tv.rows.flatMap((r) => r.big.filter((b) => b.clipped).map((b) => `${r.car} ${b.key} ${b.text}`)), [], 'none of them clipped');
    t.equal(tv.flag.width, tv.width, 'the flag is a full-width band');
    t.equal(tv.flag.text, 'Green flag', 'with its name written');
    t.same(await seriousAxeViolations(page), [], `TV ${cars} cars: axe-core finds no serious or critical violation`);
    t.same(errors, [], 'no page errors');
    await page.screenshot({ path: artifactPath(`tv-${cars}-cars-1920x1080.png`) });
  });
}

t.test('the live board on a phone and on a desktop: axe-core, and every control reached and used by keyboard alone', async (t) => {
  await declare('road-america', ['race-3']);
  const engine = await startFakeEngine(engineNc, { view: enrich(sampleView({ track: 'road-america', session: 'race-3', cars: 10, lapsToGo: 20 }), 0) });
  t.teardown(() => engine.stop());
  await race(engine, 25);
  const phone = await openPage(t, '/?track=road-america&session=race-3', { width: 390, height: 844 });
  await showing(phone.page, engine.seq());
  t.same(await seriousAxeViolations(phone.page), [], 'live board on a phone: axe-core finds no serious or critical violation');
  await phone.page.screenshot({ path: artifactPath('live-board-phone-390x844.png'), fullPage: true });

  const { page, errors } = await openPage(t, '/?track=road-america&session=race-3');
  await showing(page, engine.seq());
  t.same(await seriousAxeViolations(page), [], 'live board on a desktop: axe-core finds no serious or critical violation');
  const reached = await tabThrough(page);
  t.same((await visibleControls(page)).filter((c) => !reached.includes(c)), [], `every control reached by Tab (${reached.length})`);
  // Keyboard only: Tab to the order chooser and pick "Best lap" with the arrow keys.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  for (let i = 0; i < 10 && (await page.evaluate(() => document.activeElement?.id)) !== 'sort'; i++) await page.keyboard.press('Tab');
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction(() => location.search.includes('sort=best'), undefined, { timeout: 5000 });
  const byBest = [...engine.view().rows].sort((a, b) => (a.bestLapUs ?? Infinity) - (b.bestLapUs ?? Infinity) || a.position - b.position);
  t.same(await shownCars(page), byBest.map((r) => r.number), 'ordered by best lap, chosen with the keyboard');
  t.same(errors, [], 'no page errors');
});
