import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { Registry } from 'prom-client';
import t, { type Test } from 'tap';
import { writeSimJsonl } from '../edge/jsonl/from-sim.ts';
import { ensureSchema } from '../engine/clickhouse/schema.ts';
import { startLapSink } from '../engine/lap-sink.ts';
import type { ScoreOutput } from '../engine/score/output.ts';
import { useTestClickHouse } from '../engine/testing/clickhouse.ts';
import { runPitwall } from '../engine/testing/cli.ts';
import { readRaceEvents } from '../engine/testing/race-events.ts';
import { waitFor } from '../engine/testing/wait.ts';
import { gapToLeaderSeries, type LapRecord } from './page/charts/race-series.ts';
import { artifactPath, launchChromium } from './testing/browser.ts';
import { startFakeEngine } from './testing/fake-engine.ts';
import { startTestGateway } from './testing/gateway.ts';
import { startLiveRace } from './testing/live-race.ts';
import { seriousAxeViolations, tabThrough, visibleControls } from './testing/page-checks.ts';
import { sampleView } from './testing/race-views.ts';

// Issue 13 (driver view, charts, results): a simulated race runs live through the real engine, lap sink, ClickHouse
// and gateway; the same race written as JSON lines is scored by `pitwall score`. The driver view's charts must show
// exactly the laps REST serves, the results downloads must equal `pitwall score`, and both pages pass axe-core and
// a keyboard-only walk.

const startMs = 1_900_000_000_000;
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

const ch = await useTestClickHouse(t);
await ensureSchema(ch);
const { nats, declaration, session, track, engineNc, gw, sim, host } = await startLiveRace(t, {
  cars: 8, speed: 'max', seed: 3, startMs,
  beforeGateway: async (engineNc) => {
    const sink = await startLapSink({ nc: engineNc, clickhouse: ch, registry: new Registry(), log: (line) => t.comment(line) }, { maxWaitMs: 200 });
    t.teardown(() => sink.stop());
    return { clickhouse: ch };
  },
});
const browser = await launchChromium(t);

async function open(t: Test, url: string, viewport: { width: number; height: number }) {
  const context = await browser.newContext({ viewport });
  t.teardown(() => context.close());
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${gw.url}${url}`);
  return { page, errors };
}

const getJson = async <T>(url: string): Promise<T> => (await fetch(`${gw.url}${url}`)).json() as Promise<T>;
const restLaps = (car: string) => getJson<{ laps: LapRecord[] }>(`/api/sessions/${track}/${session.id}/cars/${car}/laps`).then((b) => b.laps);

/** The chart's points of one series, as the SVG carries them. */
const chartPoints = (page: Page, chart: string, series?: string) => page.$$eval(`#${chart} circle${series ? `[data-series="${series}"]` : ''}`,
  (dots) => dots.map((d) => ({ x: Number(d.getAttribute('data-x')), y: Number(d.getAttribute('data-y')) })));

/** Every visible control is reached by Tab alone, in order. */
async function checkKeyboard(t: Test, page: Page) {
  const controls = await visibleControls(page);
  t.ok(controls.length > 0, `${controls.length} controls on the page`);
  t.same(await tabThrough(page), controls, 'Tab reaches every control, in order');
}

// The driver's car: the third entry. The page is opened while the race runs and follows it live.
const car = declaration.entries[2]!.number;
let driverPage: Awaited<ReturnType<typeof open>> | undefined;

t.test('the driver view follows one car live; its charts are the laps REST serves', async (t) => {
  driverPage = await open(t, `/driver/${track}/${session.id}/${car}`, PHONE);
  const { page, errors } = driverPage;
  await page.waitForFunction(() => document.getElementById('driver')?.dataset.seq !== undefined, undefined, { timeout: 10_000 });
  const seqs = new Set<string>();
  const watch = setInterval(() => void page.evaluate(() => document.getElementById('driver')?.dataset.seq).then((s) => s && seqs.add(s), () => undefined), 50);
  await sim.done;
  await waitFor('RACE to settle with the session finished', async () => {
    if (host.published().view?.state !== 'finished') return undefined;
    const events = await readRaceEvents(engineNc, track, session.id);
    return host.appliedStreamSeq() >= events.lastSeq ? events : undefined;
  });
  const final = host.published();
  await page.waitForFunction((s) => document.getElementById('driver')?.dataset.seq === String(s), final.seq, { timeout: 10_000 });
  clearInterval(watch);
  t.ok(seqs.size > 1, `the page showed ${seqs.size} views while the race ran`);

  const view = final.view!;
  const i = view.rows.findIndex((r) => r.number === car);
  const row = view.rows[i]!;
  t.equal(await page.textContent('#position'), `P${row.position}`, 'the position');
  t.match(await page.textContent('#ahead-car'), i > 0 ? `#${view.rows[i - 1]!.number}` : 'leading', 'the car ahead');
  t.match(await page.textContent('#behind-car'), view.rows[i + 1] ? `#${view.rows[i + 1]!.number}` : 'last', 'the car behind');
  t.match(await page.textContent('#ahead-gap'), /^\+(\d+\.\d{3}|\d+:\d\d\.\d{3}|\d+ laps?)$/, 'the gap to the car ahead, as timing screens write it');

  const laps = await waitFor('every lap of the car in ClickHouse', async () => {
    const l = await restLaps(car);
    return l.length === row.laps ? l : undefined;
  });
  await page.waitForFunction((n) => document.getElementById('lap-chart')?.dataset.laps === String(n), laps.length, { timeout: 10_000 });
  t.ok(laps.length >= 15, `${laps.length} laps`);
  t.same(await chartPoints(page, 'lap-chart'), laps.map((l) => ({ x: l.lap, y: l.lapMs })), 'lap-time chart points = GET …/laps');
  t.same(await chartPoints(page, 'position-chart'), laps.map((l) => ({ x: l.lap, y: l.position })), 'position chart points = GET …/laps');
  t.equal(await page.locator('#last-laps tr').count(), 10, 'the last ten laps listed');
  t.equal(await page.textContent('#last-laps tr:first-child td:first-child'), String(laps.at(-1)!.lap), 'newest first');

  await page.screenshot({ path: artifactPath('driver-view-phone.png') });
  await page.screenshot({ path: artifactPath('driver-view-phone-full.png'), fullPage: true });
  t.same(await seriousAxeViolations(page), [], 'axe-core: no serious or critical violations');
  await checkKeyboard(t, page);
  t.same(errors, [], 'no page errors');
});

t.test('the results page: downloads equal pitwall score on the same events; charts from every car\'s laps', async (t) => {
  const file = path.join(t.testdir(), 'race.jsonl');
  await writeSimJsonl(file, declaration, session, { cars: 8, seed: 3, openAtUs: startMs * 1000 });
  const cli = await runPitwall(['score', file]);
  t.equal(cli.code, 0, cli.code ? cli.stderr : 'pitwall score exits 0');
  const scored = JSON.parse(cli.stdout) as ScoreOutput;

  const base = `/api/sessions/${track}/${session.id}`;
  const json = await fetch(`${gw.url}${base}/results.json`);
  t.match(json.headers.get('content-disposition'), `attachment; filename="${track}-${session.id}-results.json"`);
  t.equal(await json.text(), cli.stdout.trim(), 'results.json is, byte for byte, what pitwall score prints');
  const csv = await (await fetch(`${gw.url}${base}/results.csv`)).text();
  t.same(parseCsv(csv), scored.sessions[0]!.standings.map((s) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v === null ? '' : String(v)]))),
    'results.csv holds the same standings, column by column');

  const { page, errors } = await open(t, `/results/${track}/${session.id}`, DESKTOP);
  await page.waitForFunction(() => document.getElementById('results')?.dataset.state === 'final', undefined, { timeout: 30_000 });
  t.same(await page.$$eval('#results-body tr', (trs) => trs.map((tr) => tr.getAttribute('data-car'))),
    scored.sessions[0]!.standings.map((s) => s.number), 'the table lists the cars in the order of pitwall score');
  t.equal(await page.textContent('#final'), 'Final results');

  const lapsByCar = new Map<string, LapRecord[]>();
  for (const s of scored.sessions[0]!.standings) lapsByCar.set(s.number, await restLaps(s.number));
  for (const [number, laps] of lapsByCar) {
    t.same(await chartPoints(page, 'lap-chart', `#${number}`), laps.map((l) => ({ x: l.lap, y: l.lapMs })), `#${number}: lap times = GET …/laps`);
    t.same(await chartPoints(page, 'position-chart', `#${number}`), laps.map((l) => ({ x: l.lap, y: l.position })), `#${number}: positions = GET …/laps`);
  }
  const gaps = gapToLeaderSeries(lapsByCar);
  for (const s of gaps) t.same(await chartPoints(page, 'gap-chart', `#${s.label}`), s.points, `#${s.label}: gap to the leader from GET …/laps`);
  t.ok(gaps.some((s) => s.points.some((p) => p.y > 0)), 'some gaps are not zero');

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#csv')]);
  t.equal(download.suggestedFilename(), `${track}-${session.id}-results.csv`, 'the CSV link downloads a file');
  t.equal(fs.readFileSync((await download.path())!, 'utf8'), csv, 'with the CSV');

  await page.screenshot({ path: artifactPath('results-desktop.png'), fullPage: true });
  t.same(await seriousAxeViolations(page), [], 'axe-core: no serious or critical violations');
  await checkKeyboard(t, page);
  await page.emulateMedia({ media: 'print' });
  t.equal(await page.$eval('#actions', (el) => getComputedStyle(el).display), 'none', 'print: no download or print controls');
  t.equal(await page.$eval('body', (el) => getComputedStyle(el).backgroundColor), 'rgb(255, 255, 255)', 'print: white paper');
  await page.screenshot({ path: artifactPath('results-print.png'), fullPage: true });
  await page.emulateMedia({ media: 'screen' });
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.screenshot({ path: artifactPath('results-tv.png') });
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: artifactPath('results-phone.png'), fullPage: true });
  t.same(errors, [], 'no page errors');
});

t.test('the driver view shows its car\'s penalties and control-log entries as they happen; without a lap store it says so', async (t) => {
  const start = sampleView({ track: 'club-ring', session: 'race-9', cars: 4 });
  const fake = await startFakeEngine(engineNc, { view: start, seq: 5 });
  t.teardown(() => fake.stop());
  const bare = await startTestGateway(t, await nats.connectAs('gateway')); // no ClickHouse
  const context = await browser.newContext({ viewport: PHONE });
  t.teardown(() => context.close());
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${bare.url}/driver/club-ring/race-9/05`);
  await page.waitForFunction(() => document.getElementById('driver')?.dataset.seq === '5', undefined, { timeout: 10_000 });
  t.equal(await page.textContent('#car'), '#05 Driver C');
  await page.waitForFunction(() => /^lap history unavailable: .*no ClickHouse/.test(document.getElementById('laps-note')?.textContent ?? ''), undefined, { timeout: 10_000 });
  t.pass('no lap store: the page says so');

  const atMs = Date.UTC(2026, 10, 25, 14, 3, 7);
  const entry = (id: string, car: string, text: string) => ({ id, atUs: atMs * 1000, atMs, by: 'director', verb: 'penalty' as const, text, car, why: 'track limits' });
  await fake.update({ ...fake.view(),
    penalties: [{ id: 'p1', atUs: atMs * 1000, car: '05', type: 'time', timeUs: 5_000_000, why: 'track limits' },
      { id: 'p2', atUs: atMs * 1000, car: '3', type: 'time', timeUs: 10_000_000 }],
    controlLog: [entry('p1', '05', '+5 s to #05'), entry('p2', '3', '+10 s to #3')] });
  await page.waitForFunction(() => document.querySelectorAll('#penalties li').length > 0, undefined, { timeout: 10_000 });
  t.same(await page.$$eval('#penalties li', (lis) => lis.map((li) => li.textContent)), ['#05 +5.000 s — track limits'], 'its penalty, not the other car\'s');
  t.match(await page.$$eval('#control-log li', (lis) => lis.map((li) => li.textContent)), [/\+5 s to #05 — track limits$/], 'its control-log entry');

  await page.goto(`${bare.url}/driver/club-ring/race-9/999`);
  await page.waitForFunction(() => document.getElementById('car')?.textContent === '#999 is not in this session', undefined, { timeout: 10_000 });
  t.pass('a car not in the session: said so');
  t.same(errors, [], 'no page errors');
});

/** RFC 4180 as results.csv writes it: CRLF lines, quoted fields with doubled quotes; rows as objects by header. */
function parseCsv(text: string): Record<string, string>[] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { record.push(field); field = ''; }
    else if (c === '\r' && text[i + 1] === '\n') { record.push(field); records.push(record); record = []; field = ''; i++; }
    else field += c;
  }
  const [header, ...rows] = records;
  return rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ''])));
}
