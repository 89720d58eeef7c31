import t, { type Test } from 'tap';
import type { SessionView } from '../actors/contracts/view.ts';
import { startTestNats } from '../engine/testing/nats.ts';
import { formatClock, formatGap, formatLap, formatRemaining } from './page/format.ts';
import { artifactPath, launchChromium } from './testing/browser.ts';
import { startFakeEngine } from './testing/fake-engine.ts';
import { startTestGateway } from './testing/gateway.ts';
import { createRaceSteps, sampleView } from './testing/race-views.ts';

const nats = await startTestNats(t, { streams: false });
const engineNc = await nats.connectAs('engine');
const gw = await startTestGateway(t, await nats.connectAs('gateway'));
const browser = await launchChromium(t);

/** What the board should show for a view, row by row, as the page's cells read. */
const expectedRows = (view: SessionView) =>
  view.rows.map((r) => ({
    car: r.number,
    cells: [String(r.position), r.number, r.name, r.class, String(r.laps), formatLap(r.lastLapUs), formatLap(r.bestLapUs),
      formatGap(r.gapUs, r.gapLaps), formatGap(r.intervalUs, r.intervalLaps)],
  }));

interface Board {
  seq: string | undefined;
  clientSeq: number | undefined;
  view: SessionView | undefined;
  rows: { car: string | undefined; cells: string[] }[];
  header: { flag: string; clock: string; remaining: string };
}

async function openPage(t: Test, query: string) {
  const page = await browser.newPage();
  t.teardown(() => page.close());
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${gw.url}/${query}`);
  /**
   * The board, the page's seq and view in one synchronous read: consistent with each other. (No named functions
   * inside: tsx adds `__name` calls to them, which do not exist in the page.)
   */
  const read = () =>
    page.evaluate((): Board => {
      const table = document.getElementById('board') as HTMLTableElement;
      const [flag, clock, remaining] = ['flag', 'clock', 'remaining'].map((id) => document.getElementById(id)?.textContent ?? '');
      return {
        seq: table.dataset.seq,
        clientSeq: window.pitwall?.seq(),
        view: window.pitwall?.view(),
        rows: Array.from(table.tBodies[0]?.rows ?? [], (tr) => ({ car: tr.dataset.car, cells: Array.from(tr.cells, (td) => td.textContent ?? '') })),
        header: { flag: flag ?? '', clock: clock ?? '', remaining: remaining ?? '' },
      };
    });
  const waitForSeq = (seq: number) =>
    page.waitForFunction((s) => document.getElementById('board')?.dataset.seq === String(s), seq, { timeout: 10_000 });
  return { page, read, waitForSeq, errors };
}

const checkConsistent = (t: Test, board: Board, what: string) => {
  t.ok(board.view, `${what}: the page has a view`);
  if (!board.view) return;
  t.equal(board.seq, String(board.clientSeq), `${what}: data-seq is the seq of the page's view`);
  t.same(board.rows, expectedRows(board.view), `${what}: rows match the view at seq ${board.seq}`);
  t.same(board.header, {
    flag: board.view.flag,
    clock: formatClock(board.view.clockUs),
    remaining: formatRemaining(board.view.remainingUs, board.view.remainingLaps),
  }, `${what}: flag and clock`);
};

t.test('the page shows the live order and follows the laps', async (t) => {
  const engine = await startFakeEngine(engineNc, { view: sampleView({ track: 'sebring', session: 'race-1', cars: 8, lapsToGo: 30 }), seq: 100 });
  t.teardown(() => engine.stop());
  const { page, read, waitForSeq, errors } = await openPage(t, '?track=sebring&session=race-1');
  await waitForSeq(100);
  checkConsistent(t, await read(), 'the snapshot');

  // Marks every row element: updates in place keep the same elements (no re-render, no flicker).
  await page.evaluate(() => document.querySelectorAll('tr[data-car]').forEach((tr) => tr.setAttribute('data-marked', '')));
  const step = createRaceSteps(11);
  for (let i = 0; i < 40; i++) {
    await engine.update(step(engine.view()));
    if (i % 10 === 5) checkConsistent(t, await read(), `mid-race read ${i}`);
  }
  await waitForSeq(engine.seq());
  const board = await read();
  checkConsistent(t, board, 'after the last lap');
  t.same(board.view, engine.view(), 'the page ends with the engine view');
  t.equal(await page.locator('tr[data-car]:not([data-marked])').count(), 0, 'the same row elements throughout');
  t.match(board.rows.map((r) => r.cells[7]), ['', /^\+(\d+\.\d{3}|\d+:\d\d\.\d{3}|\d+ laps?)$/], 'gaps read like a timing screen');
  t.same(errors, [], 'no page errors');
  await page.screenshot({ path: artifactPath('spectator-page.png'), fullPage: true });
});

t.test('without a query the page follows the first live session', async (t) => {
  const engine = await startFakeEngine(engineNc, { view: sampleView({ track: 'aaa-first', session: 'race-2' }), node: 'node-b' });
  t.teardown(() => engine.stop());
  await engine.health();
  const { read, waitForSeq, errors } = await openPage(t, '');
  await waitForSeq(engine.seq());
  const board = await read();
  t.equal(board.view?.track, 'aaa-first');
  checkConsistent(t, board, 'the first session');
  t.same(errors, [], 'no page errors');
});
