import type { ScoreOutput, ScoreStanding } from '../../engine/score/output.ts';
import { renderLineChart } from './charts/line-chart.ts';
import { gapToLeaderSeries, lapTimePoints, positionPoints, type LapRecord } from './charts/race-series.ts';
import { formatGap, formatLap } from './format.ts';
import { fetchLaps } from './laps-feed.ts';
import { byId } from './dom.ts';

/**
 * The results page (served bundled as `/results.js` for `/results/<track>/<session>`): the classification as
 * `results.json` gives it (the download, the same as `pitwall score`), CSV and JSON downloads, print, and charts of
 * the race from every car's laps. A session not yet finished is marked provisional and read again every few seconds.
 */

const REFRESH_MS = 5000;
const LAPS_TRIES = 10;

/** `/results/<track>/<session>` → its parts, or undefined for another path. */
export function resultsRef(pathname: string): { track: string; session: string } | undefined {
  const m = /^\/results\/([a-z0-9-]+)\/([a-z0-9-]+)\/?$/.exec(pathname);
  return m ? { track: m[1]!, session: m[2]! } : undefined;
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  const body = (await response.json()) as T & { error?: { message: string } };
  if (!response.ok) throw new Error(body.error?.message ?? `${url}: ${response.status}`);
  return body;
}

const ms = (v: number | null) => (v === null ? undefined : v * 1000);

/** One table row per car; the car number links to its driver view. */
function resultRow(s: ScoreStanding, ref: { track: string; session: string }): HTMLTableRowElement {
  const tr = document.createElement('tr');
  tr.dataset.car = s.number;
  const cells: [string, string][] = [
    ['pos', String(s.position)], ['number', ''], ['name', s.name], ['class', s.class], ['class-pos', String(s.classPosition)],
    ['laps', String(s.laps)], ['best', formatLap(ms(s.bestLapMs))],
    ['gap', s.position === 1 ? formatLap(ms(s.elapsedMs)) : formatGap(ms(s.gapMs), s.gapLaps ?? undefined)],
    ['penalty', s.penaltyMs ? `+${formatLap(s.penaltyMs * 1000)}` : ''], ['status', s.status],
  ];
  for (const [key, text] of cells) {
    const td = document.createElement('td');
    td.className = key;
    if (key === 'number') {
      const a = document.createElement('a');
      a.href = `/driver/${ref.track}/${ref.session}/${encodeURIComponent(s.number)}`;
      a.textContent = s.number;
      a.setAttribute('aria-label', `car ${s.number}: driver view`);
      td.append(a);
    } else td.textContent = text;
    tr.append(td);
  }
  return tr;
}

/** Every car's laps, asked again (up to LAPS_TRIES) until each has as many as the classification counts. */
async function lapsOfAll(ref: { track: string; session: string }, standings: ScoreStanding[]): Promise<Map<string, LapRecord[]> | string> {
  const byCar = new Map<string, LapRecord[]>();
  for (let tries = 0; tries < LAPS_TRIES; tries++) {
    const missing = standings.filter((s) => (byCar.get(s.number)?.length ?? -1) < s.laps);
    if (missing.length === 0) return byCar;
    for (const s of missing) {
      const read = await fetchLaps(ref, s.number);
      if (!read.ok) return read.message;
      byCar.set(s.number, read.laps);
    }
    if (standings.some((s) => (byCar.get(s.number)?.length ?? 0) < s.laps)) await new Promise((r) => setTimeout(r, 1000));
  }
  return byCar;
}

function renderCharts(byCar: Map<string, LapRecord[]>) {
  const withLaps = [...byCar].filter(([, laps]) => laps.length > 0);
  const label = (car: string) => `#${car}`;
  renderLineChart(byId<SVGSVGElement>('lap-chart'), {
    title: 'Lap times per car', xLabel: 'lap', yLabel: 'lap time', formatY: (v) => formatLap(v * 1000),
    series: withLaps.map(([car, laps]) => ({ label: label(car), points: lapTimePoints(laps) })),
  });
  renderLineChart(byId<SVGSVGElement>('position-chart'), {
    title: 'Position by lap', xLabel: 'lap', yLabel: 'position', formatY: (p) => `P${p}`, invertY: true, integerY: true,
    series: withLaps.map(([car, laps]) => ({ label: label(car), points: positionPoints(laps) })),
  });
  renderLineChart(byId<SVGSVGElement>('gap-chart'), {
    title: 'Gap to the leader', xLabel: 'lap', yLabel: 'gap', formatY: (v) => `+${formatLap(v * 1000)}`, invertY: true,
    series: gapToLeaderSeries(new Map(withLaps)).map((s) => ({ ...s, label: label(s.label) })),
  });
}

async function load(ref: { track: string; session: string }): Promise<boolean> {
  const base = `/api/sessions/${ref.track}/${ref.session}`;
  const [results, score] = await Promise.all([
    getJson<{ final: boolean; session: { name: string; state: string; flag: string } }>(`${base}/results`),
    getJson<ScoreOutput>(`${base}/results.json`),
  ]);
  const standings = score.sessions[0]?.standings ?? [];
  byId('title').textContent = `${results.session.name} · ${ref.track}`;
  byId('final').textContent = results.final ? 'Final results' : `Provisional results (session ${results.session.state}, flag ${results.session.flag})`;
  byId('results-body').replaceChildren(...standings.map((s) => resultRow(s, ref)));
  const laps = await lapsOfAll(ref, standings);
  if (typeof laps === 'string') byId('charts-note').textContent = `charts unavailable: ${laps}`;
  else renderCharts(laps);
  byId('results').dataset.state = results.final ? 'final' : 'provisional';
  return results.final;
}

async function main() {
  const ref = resultsRef(location.pathname);
  if (!ref) throw new Error('the address must be /results/<track>/<session>');
  const base = `/api/sessions/${ref.track}/${ref.session}`;
  byId<HTMLAnchorElement>('csv').href = `${base}/results.csv`;
  byId<HTMLAnchorElement>('json').href = `${base}/results.json`;
  byId<HTMLAnchorElement>('board-link').href = `/?track=${ref.track}&session=${ref.session}`;
  byId('print').addEventListener('click', () => window.print());
  for (;;) {
    const final = await load(ref);
    byId('status').textContent = final ? '' : `updated ${new Date().toLocaleTimeString()}`;
    if (final) return;
    await new Promise((r) => setTimeout(r, REFRESH_MS));
  }
}

main().catch((error: unknown) => {
  byId('status').textContent = `error: ${(error as Error).message}`;
});
