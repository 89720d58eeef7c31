import { Kvm } from '@nats-io/kv';
import type { Page } from 'playwright-core';
import t, { type Test } from 'tap';
import type { CourseMark, EventDeclaration } from '../../actors/contracts/declaration.ts';
import { putDeclaration } from '../../engine/declarations/store.ts';
import { startTestNats } from '../../engine/testing/nats.ts';
import { artifactPath, launchChromium } from '../testing/browser.ts';
import { startTestGateway } from '../testing/gateway.ts';
import { createFixPublisher } from '../testing/gps-fixes.ts';
import { ELBE_MARKS, mapAtRest, readMap, startLiveSession, type MapReading } from '../testing/live-map.ts';
import { seriousAxeViolations } from '../testing/page-checks.ts';
import { sampleView } from '../testing/race-views.ts';

// Issue 15, the live map: fixes published on gps.<track>.<device> as the rider endpoints publish them, through a real
// NATS and gateway, appear on the map page and on the live board as dots labelled with the riders' numbers, drawn
// exactly where the course's marks are drawn when a rider is at a mark (and halfway between two marks when halfway),
// glide to their next place, and grey out after 30 s without a fix. The course is the real one of
// edge/gps/fixtures/marks.txt (Elbe, Hamburg), with a start/finish line between marks 1 and 4. axe-core on each page.

const marks = ELBE_MARKS;
const mark = (n: number) => marks[n - 1]!;
const TRACK = 'elbe';
const SESSION = 'race-1';
const EVENT = 'elbe-regatta';
const declaration: EventDeclaration = {
  track: TRACK, event: EVENT, name: 'Elbe regatta',
  classes: [{ id: 'dinghy', name: 'Dinghy' }, { id: 'keel', name: 'Keelboat' }],
  sessions: [{ id: SESSION, name: 'Race 1', type: 'race', finish: { laps: 3 } }],
  entries: [{ number: '7', name: 'Alex', class: 'dinghy' }, { number: '05', name: 'Richard', class: 'keel' }, { number: '12', name: 'Yury', class: 'dinghy' }],
  timingLines: [{ id: 'sf', kind: 'start-finish', points: [[mark(1).lat, mark(1).lon], [mark(4).lat, mark(4).lon]] }],
  marks,
};

const nats = await startTestNats(t);
await putDeclaration(await new Kvm(await nats.connectAs('admin')).open('events'), declaration);
const gatewayNc = await nats.connectAs('gateway');
const gw = await startTestGateway(t, gatewayNc);
const engineNc = await nats.connectAs('engine');
await startLiveSession(t, engineNc, gw.url, { ...sampleView({ track: TRACK, session: SESSION }), event: EVENT, name: 'Race 1' });
const publish = createFixPublisher(gatewayNc, TRACK);
const browser = await launchChromium(t);

let fixTime = 1_688_205_600_000_000; // µs: 1 July 2023, as the GPX tracks
const at = (p: { lat: number; lon: number }) => ({ atUs: (fixTime += 1_000_000), lat: p.lat, lon: p.lon });
const halfway = (a: CourseMark, b: CourseMark) => ({ lat: (a.lat + b.lat) / 2, lon: (a.lon + b.lon) / 2 });

// Before any page opens: the pages join late and get these from the gateway's full frame.
await publish({ event: EVENT, number: '7' }, { ...at(mark(3)), speedMps: 4.1, accuracyM: 5 });
await publish({ event: EVENT, number: '05' }, at(halfway(mark(2), mark(5))));

async function open(t: Test, path: string, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport });
  t.teardown(() => context.close());
  const page = await context.newPage();
  await page.clock.install(); // the page's clock runs on, and a test may move it forward
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${gw.url}${path}`);
  return { page, errors };
}

/** Waits until the map shows the course and these riders, at rest. */
async function showing(page: Page, riders: string[], svg = 'svg#map') {
  await page.waitForFunction(({ svg, riders }) => document.querySelectorAll(`${svg} g.mark`).length === 5 &&
    Array.from(document.querySelectorAll<SVGGElement>(`${svg} g.rider`), (g) => g.dataset.number).sort().join() === riders.join(),
  { svg, riders: [...riders].sort() }, { timeout: 15_000 });
  await mapAtRest(page, svg);
  return readMap(page, svg);
}

const near = (a: { x: number; y: number }, b: { x: number; y: number }, px = 1) => Math.abs(a.x - b.x) <= px && Math.abs(a.y - b.y) <= px;
const where = (p: { x: number; y: number }) => `(${p.x.toFixed(1)}, ${p.y.toFixed(1)})`;

/** The riders' dots are where the course is drawn: 7 on mark 3, 05 halfway between marks 2 and 5. */
function checkPlaces(t: Test, map: MapReading) {
  const m = (id: string) => map.marks.find((x) => x.id === id)!;
  const rider = (n: string) => map.riders.find((r) => r.number === n)!;
  t.ok(near(rider('7'), m('m3')), `rider 7 drawn on mark 3: ${where(rider('7'))} and ${where(m('m3'))} px`);
  const middle = { x: (m('m2').x + m('m5').x) / 2, y: (m('m2').y + m('m5').y) / 2 };
  t.ok(near(rider('05'), middle), `rider 05 drawn halfway between marks 2 and 5: ${where(rider('05'))} and ${where(middle)} px`);
}

/** The projection written out again here: metres east and south of the course's centre (the middle of its marks). */
function metres(p: { lat: number; lon: number }) {
  const lats = marks.map((x) => x.lat);
  const lons = marks.map((x) => x.lon);
  const lat0 = (Math.min(...lats) + Math.max(...lats)) / 2;
  const lon0 = (Math.min(...lons) + Math.max(...lons)) / 2;
  const k = (6_371_008.8 * Math.PI) / 180;
  return { x: (p.lon - lon0) * k * Math.cos((lat0 * Math.PI) / 180), y: (lat0 - p.lat) * k };
}

t.test('the map page: the course, riders as labelled dots where the course puts them, gliding to new fixes, greyed after 30 s', async (t) => {
  const { page, errors } = await open(t, `/map/${TRACK}/${SESSION}`);
  const map = await showing(page, ['7', '05']);
  t.same(map.lines, [{ id: 'sf', kind: 'start-finish', label: 'Start/Finish' }], 'the start/finish line, drawn as such');
  t.same(map.marks.map((m) => m.label), marks.map((m) => m.name), 'every mark with its label');
  t.same(map.riders.map((r) => [r.number, r.label, r.title]).sort(), [['05', '05', '05 Richard'], ['7', '7', '7 Alex']], 'dots labelled with their numbers, named in their titles');
  checkPlaces(t, map);
  const seven = map.riders.find((r) => r.number === '7')!;
  const expected = metres(mark(3));
  t.ok(Math.abs(seven.dataX - expected.x) < 0.02 && Math.abs(seven.dataY - expected.y) < 0.02,
    `rider 7 at ${seven.dataX}, ${seven.dataY} m from the centre (equirectangular: ${expected.x.toFixed(2)}, ${expected.y.toFixed(2)})`);
  t.not(map.riders.find((r) => r.number === '05')!.fill, seven.fill, 'dinghy and keelboat in different colours');
  t.match(map.desc, /Course: start\/finish line, mark Mark 1, .*Riders: .*7 Alex.*05 Richard|Riders: .*05 Richard.*7 Alex/, 'the description names the course and the riders');
  t.same(await seriousAxeViolations(page), [], 'axe-core finds no serious or critical violation on the map page');

  // Live: rider 7 sails to mark 1, rider 12 appears at mark 4; 7's dot glides there (the same element, a CSS transition).
  await page.evaluate(() => document.querySelector('svg#map g.rider[data-number="7"]')?.setAttribute('data-marked', ''));
  await publish({ event: EVENT, number: '7' }, at(mark(1)));
  await publish({ event: EVENT, number: '12' }, at(mark(4)));
  const moved = await showing(page, ['7', '05', '12']);
  const m = (id: string) => moved.marks.find((x) => x.id === id)!;
  const rider = (n: string) => moved.riders.find((r) => r.number === n)!;
  t.ok(near(rider('7'), m('m1')), `rider 7 now on mark 1: ${where(rider('7'))} and ${where(m('m1'))} px`);
  t.ok(near(rider('12'), m('m4')), `rider 12 on mark 4: ${where(rider('12'))} and ${where(m('m4'))} px`);
  t.equal(await page.locator('svg#map g.rider[data-number="7"][data-marked]').count(), 1, 'rider 7 is the same dot, moved');
  t.same(await page.evaluate(() => {
    const style = getComputedStyle(document.querySelector('svg#map g.rider[data-number="7"]') as Element);
    return [style.transitionProperty, style.transitionDuration];
  }), ['transform', '1s'], 'dots glide between fixes (a 1 s transition on their transform)');
  t.equal(await page.locator('svg#map polyline.trail[data-number="7"]').getAttribute('points').then((p) => p?.split(' ').length), 2, 'rider 7 leaves a trail');
  await page.screenshot({ path: artifactPath('live-map-desktop.png') });

  // 31 s later by the page's clock: only the rider heard from since is not greyed.
  await page.clock.fastForward(31_000);
  await publish({ event: EVENT, number: '7' }, at(halfway(mark(1), mark(2))));
  await page.waitForFunction(() => ['05', '12', '7'].map((n) => document.querySelector(`svg#map g.rider[data-number="${n}"]`)?.classList.contains('stale'))
    .join() === 'true,true,false', undefined, { timeout: 15_000 });
  const greyed = await readMap(page);
  t.match(greyed.riders.find((r) => r.number === '05')!.title, /^05 Richard \(no fix for 3\d s\)$/, 'a stale rider says how long it has been silent');
  t.equal(greyed.riders.find((r) => r.number === '05')!.fill, 'rgb(119, 119, 119)', 'and is grey');
  t.match(greyed.desc, /05 Richard \(no fix for 3\d s\)/, 'the description says so too');
  await page.screenshot({ path: artifactPath('live-map-stale-desktop.png') });
  t.same(errors, [], 'no page errors');
});

t.test('the map page on a phone and on a TV: the whole course on screen, no scrolling', async (t) => {
  for (const viewport of [{ width: 390, height: 844 }, { width: 1920, height: 1080 }]) {
    const { page, errors } = await open(t, `/map/${TRACK}/${SESSION}`, viewport);
    const map = await showing(page, ['7', '05', '12']);
    const size = await page.evaluate(() => ({ w: innerWidth, h: innerHeight, sw: document.documentElement.scrollWidth, sh: document.documentElement.scrollHeight }));
    t.ok(size.sw <= size.w && size.sh <= size.h, `${viewport.width}×${viewport.height}: no scrolling (${size.sw}×${size.sh})`);
    t.same([...map.marks, ...map.riders].filter((p) => p.x < 0 || p.y < 0 || p.x > size.w || p.y > size.h).map((p) => ('id' in p ? p.id : p.number)), [],
      `${viewport.width}×${viewport.height}: every mark and rider on screen`);
    t.same(await seriousAxeViolations(page), [], `${viewport.width}×${viewport.height}: axe-core finds no serious or critical violation`);
    await page.screenshot({ path: artifactPath(`live-map-${viewport.width}x${viewport.height}.png`) });
    t.same(errors, [], 'no page errors');
  }
});

t.test('the live board shows the map panel for an event with a course, with the riders where the course puts them', async (t) => {
  // Back to where the first test started: 7 on mark 3, 05 halfway between marks 2 and 5.
  await publish({ event: EVENT, number: '7' }, at(mark(3)));
  await publish({ event: EVENT, number: '05' }, at(halfway(mark(2), mark(5))));
  const { page, errors } = await open(t, `/?track=${TRACK}&session=${SESSION}`);
  await page.waitForFunction(() => document.getElementById('map-panel')?.hidden === false, undefined, { timeout: 15_000 });
  await page.locator('#map-panel').scrollIntoViewIfNeeded();
  const map = await showing(page, ['7', '05', '12']);
  checkPlaces(t, map);
  t.equal(await page.locator('#map-link').getAttribute('href'), `/map/${TRACK}/${SESSION}`, 'a link to the full-screen map');
  t.same(await seriousAxeViolations(page), [], 'axe-core finds no serious or critical violation on the board with its map');
  await page.screenshot({ path: artifactPath('live-board-map-desktop.png'), fullPage: true });

  const tv = await open(t, `/tv?track=${TRACK}&session=${SESSION}`, { width: 1920, height: 1080 });
  await tv.page.waitForFunction(() => document.querySelector('#board')?.getAttribute('data-seq') !== null, undefined, { timeout: 15_000 });
  t.notOk(await tv.page.locator('#map-panel').isVisible(), 'the TV board keeps to the order (the map has its own page)');
  t.same([...errors, ...tv.errors], [], 'no page errors');
});

t.test('an event without a course: the board shows the map once a rider sends a position, centred on the riders', async (t) => {
  const event = 'club-ride';
  await putDeclaration(await new Kvm(await nats.connectAs('admin')).open('events'), {
    track: TRACK, event, name: 'Club ride', classes: [{ id: 'open', name: 'Open' }],
    sessions: [{ id: 'ride-1', name: 'Ride 1', type: 'race', finish: { laps: 1 } }], entries: [{ number: '3', name: 'Ada', class: 'open' }],
  });
  await startLiveSession(t, engineNc, gw.url, { ...sampleView({ track: TRACK, session: 'ride-1' }), event, name: 'Ride 1' }, 'engine-2');

  const { page, errors } = await open(t, `/?track=${TRACK}&session=ride-1`);
  await page.waitForFunction(() => document.getElementById('board')?.dataset.seq !== undefined, undefined, { timeout: 15_000 });
  t.equal(await page.locator('#map-panel').isVisible(), false, 'no course, no rider: no map');
  await publish({ event, number: '3' }, at(mark(2)));
  await page.waitForFunction(() => document.getElementById('map-panel')?.hidden === false &&
    document.querySelector('svg#map g.rider[data-number="3"]') !== null, undefined, { timeout: 15_000 });
  // The gateway caches declarations for a second or two: the page asks again until it has this new one's names.
  await page.waitForFunction(() => document.querySelector('svg#map desc')?.textContent === 'Riders: 3 Ada.', undefined, { timeout: 15_000 });
  await mapAtRest(page);
  const map = await readMap(page);
  t.same(map.riders.map((r) => [r.number, r.dataX, r.dataY]), [['3', 0, 0]], 'the one rider, at the centre of the map');
  t.same([map.lines.length, map.marks.length], [0, 0], 'nothing else drawn');
  t.equal(map.desc, 'Riders: 3 Ada.', 'described, with the name from the declaration');
  t.same(errors, [], 'no page errors');
});
