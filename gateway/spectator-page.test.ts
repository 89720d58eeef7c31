import t, { type Test } from 'tap';
import { startTestNats } from '../engine/testing/nats.ts';
import { checkBoardConsistent, readBoard } from './testing/board.ts';
import { artifactPath, launchChromium } from './testing/browser.ts';
import { startFakeEngine } from './testing/fake-engine.ts';
import { startTestGateway } from './testing/gateway.ts';
import { createRaceSteps, sampleView } from './testing/race-views.ts';

const nats = await startTestNats(t, { streams: false });
const engineNc = await nats.connectAs('engine');
const gw = await startTestGateway(t, await nats.connectAs('gateway'));
const browser = await launchChromium(t);

async function openPage(t: Test, query: string) {
  const page = await browser.newPage();
  t.teardown(() => page.close());
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${gw.url}/${query}`);
  const read = () => readBoard(page);
  const waitForSeq = (seq: number) =>
    page.waitForFunction((s) => document.getElementById('board')?.dataset.seq === String(s), seq, { timeout: 10_000 });
  return { page, read, waitForSeq, errors };
}

t.test('the page shows the live order and follows the laps', async (t) => {
  const engine = await startFakeEngine(engineNc, { view: sampleView({ track: 'sebring', session: 'race-1', cars: 8, lapsToGo: 30 }), seq: 100 });
  t.teardown(() => engine.stop());
  const { page, read, waitForSeq, errors } = await openPage(t, '?track=sebring&session=race-1');
  await waitForSeq(100);
  checkBoardConsistent(t, await read(), 'the snapshot');

  // Marks every row element: updates in place keep the same elements (no re-render, no flicker).
  await page.evaluate(() => document.querySelectorAll('tr[data-car]').forEach((tr) => tr.setAttribute('data-marked', '')));
  const step = createRaceSteps(11);
  for (let i = 0; i < 40; i++) {
    await engine.update(step(engine.view()));
    if (i % 10 === 5) checkBoardConsistent(t, await read(), `mid-race read ${i}`);
  }
  await waitForSeq(engine.seq());
  const board = await read();
  checkBoardConsistent(t, board, 'after the last lap');
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
  checkBoardConsistent(t, board, 'the first session');
  t.same(errors, [], 'no page errors');
});
