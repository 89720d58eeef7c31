import type { SessionView, StandingRow } from '../../actors/contracts/view.ts';
import { createTimingClient } from '../client/timing-client.ts';
import { renderLineChart } from './charts/line-chart.ts';
import { lapTimePoints, positionPoints, type LapRecord } from './charts/race-series.ts';
import { showConnection } from './connection-status.ts';
import { penaltyText } from './control-panel.ts';
import { formatClock, formatGap, formatLap, formatRemaining } from './format.ts';
import { createLapFollower } from './laps-feed.ts';
import { byId } from './dom.ts';

/**
 * The driver view (served bundled as `/driver.js` for `/driver/<track>/<session>/<car>`), for a phone: one car's
 * position, the gaps to the cars ahead and behind, its last laps with a lap-time and a position chart, and its
 * penalties and control-log entries, live from the client library; laps from the REST laps route.
 */


const setText = (el: Element, text: string) => {
  if (el.textContent !== text) el.textContent = text;
};
const LAST_LAPS = 10;
/** Drawn at about the width of a phone's screen, so that 13-unit text is 13 px there. */
const PHONE_CHART = { width: 380, height: 240 };

/** `/driver/<track>/<session>/<car>` → its parts, or undefined for another path. */
export function driverRef(pathname: string): { track: string; session: string; car: string } | undefined {
  const m = /^\/driver\/([a-z0-9-]+)\/([a-z0-9-]+)\/([A-Za-z0-9-]{1,16})\/?$/.exec(pathname);
  return m ? { track: m[1]!, session: m[2]!, car: m[3]! } : undefined;
}

const carLabel = (r: StandingRow | undefined) => (r ? `#${r.number} ${r.name}` : '');

function renderCar(view: SessionView, car: string) {
  const i = view.rows.findIndex((r) => r.number === car);
  const row = view.rows[i];
  setText(byId('session'), `${view.name} · ${view.track}`);
  setText(byId('flag'), view.sectors ? `${view.flag} S${view.sectors.join(', S')}` : view.flag);
  byId('flag').dataset.flag = view.flag;
  setText(byId('clock'), formatClock(view.clockUs));
  setText(byId('remaining'), formatRemaining(view.remainingUs, view.remainingLaps));
  if (!row) {
    setText(byId('car'), `#${car} is not in this session`);
    return undefined;
  }
  const ahead = view.rows[i - 1];
  const behind = view.rows[i + 1];
  setText(byId('car'), `#${row.number} ${row.name}`);
  setText(byId('position'), `P${row.position}`);
  setText(byId('class-position'), `P${row.classPosition} in ${row.class}`);
  setText(byId('laps'), String(row.laps));
  setText(byId('last'), formatLap(row.lastLapUs) || '–');
  setText(byId('best'), formatLap(row.bestLapUs) || '–');
  setText(byId('state'), row.finished ? 'finished' : row.pit ? 'in the pit lane' : (row.status ?? 'running'));
  setText(byId('ahead-car'), ahead ? carLabel(ahead) : 'leading');
  setText(byId('ahead-gap'), ahead ? formatGap(row.intervalUs, row.intervalLaps) : '');
  setText(byId('behind-car'), behind ? carLabel(behind) : 'last');
  setText(byId('behind-gap'), behind ? formatGap(behind.intervalUs, behind.intervalLaps) : '');
  return row;
}

/** The car's penalties and control-log entries, newest first; rebuilt only when the view brings new arrays. */
function createCarControl(car: string) {
  let shownPenalties: unknown;
  let shownLog: unknown;
  const fill = (list: HTMLElement, items: { id: string; text: string }[]) =>
    list.replaceChildren(...items.map(({ id, text }) => {
      const li = document.createElement('li');
      li.dataset.id = id;
      li.textContent = text;
      return li;
    }));
  return (view: SessionView) => {
    if (view.penalties !== shownPenalties) {
      shownPenalties = view.penalties;
      fill(byId('penalties'), (view.penalties ?? []).filter((p) => p.car === car).reverse().map((p) => ({
        id: p.id, text: penaltyText(p),
      })));
    }
    if (view.controlLog !== shownLog) {
      shownLog = view.controlLog;
      fill(byId('control-log'), (view.controlLog ?? []).filter((e) => e.car === car).reverse().map((e) => ({
        id: e.id, text: `${new Date(e.atMs).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })} ${e.text}${e.why ? ` — ${e.why}` : ''}`,
      })));
    }
  };
}

function renderLaps(car: string, laps: LapRecord[]) {
  const body = byId<HTMLTableSectionElement>('last-laps');
  body.replaceChildren(...laps.slice(-LAST_LAPS).reverse().map((l) => {
    const tr = document.createElement('tr');
    for (const text of [String(l.lap), formatLap(l.lapMs * 1000), `P${l.position}`, [l.flag, l.pit ? 'pit' : ''].filter(Boolean).join(' · ')]) {
      tr.append(Object.assign(document.createElement('td'), { textContent: text }));
    }
    return tr;
  }));
  renderLineChart(byId<SVGSVGElement>('lap-chart'), {
    title: 'Lap times', xLabel: 'lap', yLabel: 'lap time', series: [{ label: `#${car}`, points: lapTimePoints(laps) }],
    formatY: (ms) => formatLap(ms * 1000), size: PHONE_CHART,
  });
  renderLineChart(byId<SVGSVGElement>('position-chart'), {
    title: 'Position by lap', xLabel: 'lap', yLabel: 'position', series: [{ label: `#${car}`, points: positionPoints(laps) }],
    formatY: (p) => `P${p}`, invertY: true, integerY: true, size: PHONE_CHART,
  });
  byId('lap-chart').dataset.laps = String(laps.length);
}

function main() {
  const ref = driverRef(location.pathname);
  if (!ref) throw new Error('the address must be /driver/<track>/<session>/<car number>');
  const { track, session, car } = ref;
  document.title = `#${car} · Pitwall`;
  byId<HTMLAnchorElement>('board-link').href = `/?track=${track}&session=${session}`;
  byId<HTMLAnchorElement>('results-link').href = `/results/${track}/${session}`;
  const laps = createLapFollower({ track, session }, car, {
    laps: (list) => renderLaps(car, list),
    error: (message) => setText(byId('laps-note'), `lap history unavailable: ${message}`),
  });
  const control = createCarControl(car);
  let shown: { seq: number; view: SessionView } | undefined;
  const client = createTimingClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`,
    onStatus: (s) => showConnection(byId('status'), s),
    onView: (t, s, view, seq) => {
      if (t !== track || s !== session) return;
      shown = { seq, view };
      const row = renderCar(view, car);
      control(view);
      laps.want(row?.laps ?? 0);
      byId('driver').dataset.seq = String(seq);
    },
  });
  client.subscribe(track, session);
  window.pitwall = { client, seq: () => shown?.seq, view: () => shown?.view };
}

try {
  main();
} catch (error) {
  byId('status').textContent = `error: ${(error as Error).message}`;
}
