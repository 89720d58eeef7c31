import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { checkBoardConsistent, readBoard, type Board } from '../gateway/testing/board.ts';
import { artifactPath, launchChromium } from '../gateway/testing/browser.ts';
import { processesMentioning, startPitwall } from './testing/cli.ts';

const lapsByCar = (board: Board) => new Map(board.rows.map((r) => [r.car, Number(r.cells[4])]));

t.test('pitwall up --demo at 30×: the page follows the race', async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pitwall-demo-'));
  const up = startPitwall(['up', '--demo', '--demo-speed', '30', '--ports', 'random', '--data-dir', dataDir]);
  t.teardown(async () => {
    up.child.kill('SIGINT');
    await up.exited;
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  const [, spectators] = await up.waitForLine(/^spectators (http:\/\/127\.0\.0\.1:\d+\/)$/);
  const [, raceControl, user, password] = await up.waitForLine(/^race-control (http:\S+) \(user (\S+), password (\S+)\)$/);
  const [, regatta] = await up.waitForLine(/^regatta (http:\S+)$/);

  const browser = await launchChromium(t);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(spectators!);
  // Racing: the page found the live session by itself and every car has a lap.
  await page.waitForFunction(() => {
    const rows = document.querySelectorAll('#board tbody tr');
    return rows.length >= 20 && Array.from(rows).every((tr) => Number((tr as HTMLTableRowElement).cells[4]?.textContent) > 0);
  }, undefined, { timeout: 60_000 });

  const first = await readBoard(page);
  checkBoardConsistent(t, first, 'first read');
  await page.waitForTimeout(3000); // the "3 s apart": 90 s of racing at 30×
  const second = await readBoard(page);
  checkBoardConsistent(t, second, 'second read');

  const before = lapsByCar(first);
  const after = lapsByCar(second);
  const increased = [...after].filter(([car, laps]) => laps > (before.get(car) ?? Infinity)).length;
  const decreased = [...after].filter(([car, laps]) => laps < (before.get(car) ?? -Infinity)).length;
  t.ok(increased >= 10, `${increased} cars completed laps in 3 s`);
  t.equal(decreased, 0, 'no car lost a lap');
  t.equal(second.view?.track, 'demo-park');
  t.same(errors, [], 'no page errors');
  await page.screenshot({ path: artifactPath('demo-race.png'), fullPage: true });

  // The demo's race director logs in with the printed password; a note reaches the spectators' control log.
  const official = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await official.goto(raceControl!);
  await official.click('#login');
  await official.fill('#username', user!);
  await official.fill('#password', password!);
  await official.click('button[type=submit]');
  const allow = official.locator('button:has-text("Allow")');
  await official.waitForFunction((url) => location.href.startsWith(url) || document.title.startsWith('Allow access'), raceControl!, { timeout: 15_000 });
  if (!official.url().startsWith(raceControl!)) await allow.click();
  await official.waitForFunction(() => document.getElementById('who')?.textContent === 'demo-club: race-control, timing', undefined, { timeout: 15_000 });
  await official.fill('#note-form input[name=text]', 'Demo: track inspection after race 1');
  await official.click('#note-form button[type=submit]');
  await page.waitForFunction(() => document.getElementById('control-log')?.textContent?.includes('track inspection after race 1'), undefined, { timeout: 15_000 });
  t.pass('the race director logged in with the printed password and the note reached the spectators');

  // The GPS regatta: its three boats, replayed as phones through the rider endpoints, sail on the printed map.
  const map = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  map.on('pageerror', (e) => errors.push(e.message));
  await map.goto(regatta!);
  await map.waitForFunction(() => ['1', '2', '3'].every((n) => document.querySelector(`g.rider[data-number="${n}"]`)), undefined, { timeout: 60_000 });
  t.pass('the regatta map shows the three boats');
  t.same(errors, [], 'no page errors on the map either');
  await map.screenshot({ path: artifactPath('demo-regatta-map.png') });

  up.child.kill('SIGINT');
  t.equal(await up.exited, 0, 'Ctrl-C stops the stack cleanly');
  t.same(processesMentioning(dataDir), [], 'no process is left behind');
});
