import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CourseMark, EventDeclaration } from '../../../actors/contracts/declaration.ts';
import { riderDevice, type GpsFix, type RiderEntry } from '../../../actors/contracts/gps.ts';
import { jetstream } from '@nats-io/jetstream';
import { readingMsgId, type EdgeSessionMessage } from '../../../actors/contracts/events.ts';
import { subjects } from '../../../actors/contracts/subjects.ts';
import type { TestNats } from '../../../engine/testing/nats.ts';
import { parseGpx } from '../gpx.ts';

/**
 * The GPS golden race for tests: three boats of 1 July 2023 (`edge/gps/fixtures/track{1,2,3}.gpx`, copies of the
 * shared data) declared as entries 1, 2 and 3 of an event whose start-finish line runs from mark 1 to mark 4 of
 * `marks.txt`, and the crossing times the independent script `docs/gps/golden-crossings.py` found
 * (`docs/gps/golden-crossings.json`, checked by hand on `docs/gps/golden-crossings.png`; docs/gps.md).
 *
 * Used by the engine's GPS test (fixes published as the gateway would) and meant for the end-to-end replay through
 * the gateway's rider endpoints (`pitwall edge gps --gpx`), which must give the same passings.
 */
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const GPS_FIXTURES_DIR = path.join(REPO, 'edge/gps/fixtures');
export const GOLDEN_FILE = path.join(REPO, 'docs/gps/golden-crossings.json');

export interface GoldenCrossing {
  iso: string;
  atUs: number;
  direction: 1 | -1;
}

interface GoldenFile {
  line: { marks: [number, number]; points: [[number, number], [number, number]] };
  boats: { number: string; gpx: string; crossings: GoldenCrossing[] }[];
}

export interface GoldenRider {
  entry: RiderEntry;
  gpxFile: string;
  /** The track's points as a phone would report them: GPX time and position. */
  points: { atUs: number; lat: number; lon: number }[];
  /** The golden crossing times of the start-finish line. */
  crossings: GoldenCrossing[];
}

export interface GoldenRace {
  declaration: EventDeclaration;
  session: string;
  /** The session opens and starts before the first fix and the first crossing (GPX times, µs). */
  openAtUs: number;
  startAtUs: number;
  riders: GoldenRider[];
}

/** `marks.txt`: one `lat, lon` per line; mark n is line n. */
export function readMarks(file = path.join(GPS_FIXTURES_DIR, 'marks.txt')): CourseMark[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => {
      const [lat, lon] = l.split(',').map(Number);
      return { id: `mark-${i + 1}`, name: `Mark ${i + 1}`, lat: lat!, lon: lon! };
    });
}

export function goldenRace(): GoldenRace {
  const golden = JSON.parse(fs.readFileSync(GOLDEN_FILE, 'utf8')) as GoldenFile;
  const declaration: EventDeclaration = {
    track: 'elbe-hamburg',
    event: 'regatta-2023-07-01',
    name: 'Regatta, 1 July 2023',
    classes: [{ id: 'boat', name: 'Boats' }],
    sessions: [{ id: 'race-1', name: 'Race 1', type: 'race', finish: { timeMs: 60 * 60_000 }, minLapMs: 60_000 }],
    entries: golden.boats.map((b) => ({ number: b.number, name: `Boat ${b.number}`, class: 'boat' })),
    timingLines: [{ id: 'sf', kind: 'start-finish', points: golden.line.points }],
    marks: readMarks(),
    gps: { maxSpeedMps: 40 },
  };
  const riders = golden.boats.map((b) => {
    const gpxFile = path.join(GPS_FIXTURES_DIR, b.gpx);
    return { entry: { event: declaration.event, number: b.number }, gpxFile, points: parseGpx(fs.readFileSync(gpxFile, 'utf8')).points.map((p) => ({ atUs: p.atMs * 1000, lat: p.lat, lon: p.lon })), crossings: b.crossings };
  });
  return {
    declaration,
    session: 'race-1',
    openAtUs: Date.parse('2023-07-01T10:30:00Z') * 1000,
    startAtUs: Date.parse('2023-07-01T10:50:00Z') * 1000,
    riders,
  };
}

/** Every rider's fixes as the gateway publishes them (`via: 'ws'`, received a second later), in time order. */
export function gatewayFixes(race: GoldenRace): GpsFix[] {
  return race.riders
    .flatMap((r) =>
      r.points.map((p): GpsFix => ({ type: 'fix', device: riderDevice(r.entry), entry: r.entry, atUs: p.atUs, lat: p.lat, lon: p.lon, receivedAtUs: p.atUs + 1_000_000, via: 'ws' })),
    )
    .sort((a, b) => a.atUs - b.atUs);
}

/**
 * The laps the session credits from the golden crossings: the first crossing at least `minLapMs` after the start,
 * then each crossing at least `minLapMs` after the last counted one (shorter gaps are double reads:
 * actors/scoring/passing.ts).
 */
export function expectedLaps(race: GoldenRace, rider: GoldenRider): number {
  const minLapUs = (race.declaration.sessions[0]!.minLapMs ?? 15_000) * 1000;
  let last = race.startAtUs;
  let laps = 0;
  for (const c of rider.crossings) {
    if (c.atUs - last >= minLapUs) {
      laps++;
      last = c.atUs;
    }
  }
  return laps;
}

/**
 * The race office opens and starts the golden session (edge `session` messages from device `office`, as start lights
 * or the simulator send them), at the race's GPX-time open and start.
 */
export async function openGoldenSession(nats: TestNats, race: GoldenRace): Promise<void> {
  const { track, event } = race.declaration;
  const office = jetstream(await nats.connectWith(await nats.server.addEdgeDevice(track, 'office')));
  let seq = 0;
  const send = async (m: Partial<EdgeSessionMessage>) => {
    const reading = { device: 'office', boot: 'b1', seq: ++seq };
    await office.publish(subjects.edge(track, 'office', 'session'), JSON.stringify({ ...reading, session: race.session, ...m }), { msgID: readingMsgId(reading) });
  };
  await send({ type: 'session.open', event, atUs: race.openAtUs });
  await send({ type: 'session.start', atUs: race.startAtUs });
}
