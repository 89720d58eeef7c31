import type { SessionView } from '../../actors/contracts/view.ts';
import { createTimingClient } from '../client/timing-client.ts';
import { createBoard } from './board.ts';
import { classesIn, type BoardMode } from './board-rows.ts';
import { showConnection } from './connection-status.ts';
import { createControlPanel } from './control-panel.ts';
import { createEventReader, hasCourse } from './map/course.ts';
import { createCourseMap } from './map/course-map.ts';
import { currentLogin } from './oidc-login.ts';
import { spectatorLoginConfig, startSpectatorLogin } from './spectator-login.ts';
import { byId } from './dom.ts';

/**
 * The spectator page's script (served bundled as `/spectator.js`, pages `/` and `/tv`): one session's live order,
 * overall or by class, by position or best lap (kept in the address, so a refresh shows the same board). `?tv` or
 * `/tv` is the track-side screen. A private event's session asks for a login (issue 10: its organisation's members).
 */



const query = new URLSearchParams(location.search);
const tv = location.pathname === '/tv' || query.has('tv');
const login = currentLogin();
const authHeaders: Record<string, string> = login ? { authorization: `Bearer ${login.accessToken}` } : {};

const status = byId('status');

/** A private session this browser may not see: say why, and offer the login when the gateway has one. */
async function askForAccess(message: string) {
  const access = byId('access');
  if (!access.hidden) return;
  access.hidden = false;
  const text = byId('access-message');
  const config = await spectatorLoginConfig();
  if (!config) {
    text.textContent = `${message}. This gateway has no login: private events cannot be followed here.`;
    return;
  }
  text.textContent = login
    ? `${message}. Your login does not give access to it.`
    : `${message}. This is a private event: members of its club log in to follow it.`;
  const button = byId<HTMLButtonElement>('login');
  button.hidden = false;
  button.addEventListener('click', () => void startSpectatorLogin(`${location.pathname}${location.search}`).catch((error: unknown) => {
    text.textContent = (error as Error).message;
  }));
}

async function chooseSession(): Promise<{ track: string; session: string }> {
  const track = query.get('track');
  const session = query.get('session');
  if (track && session) return { track, session };
  for (;;) {
    const response = await fetch('/api/sessions', { headers: authHeaders });
    const { sessions } = (await response.json()) as { sessions: { track: string; session: string }[] };
    const first = sessions[0];
    if (first) return { track: first.track, session: first.session };
    status.textContent = 'no live session yet';
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

/** The board's mode from the address; written back on every change (replaceState: no new history entry). */
function modeFromQuery(): BoardMode {
  const classId = query.get('class') ?? undefined;
  return { ...(classId && { classId }), sort: query.get('sort') === 'best' ? 'best' : 'position' };
}

function keepInAddress(mode: BoardMode) {
  if (mode.classId) query.set('class', mode.classId);
  else query.delete('class');
  if (mode.sort === 'best') query.set('sort', 'best');
  else query.delete('sort');
  history.replaceState(null, '', `${location.pathname}?${query.toString()}`);
}

/** TV mode: one column up to 8 cars, else two; the CSS sizes rows and text from these. */
function layoutTv(table: HTMLTableElement, cars: number) {
  const columns = cars <= 8 ? 1 : 2;
  table.style.setProperty('--columns', String(columns));
  table.style.setProperty('--rows', String(Math.max(1, Math.ceil(cars / columns))));
  table.style.setProperty('--fill', columns === 1 ? '0.9' : '0.6');
}

async function main() {
  document.body.classList.toggle('tv', tv);
  const { track, session } = await chooseSession();
  byId<HTMLAnchorElement>('tv-link').href = `/tv?track=${track}&session=${session}`;
  byId<HTMLAnchorElement>('map-link').href = `/map/${track}/${session}`;
  const table = byId<HTMLTableElement>('board');
  const board = createBoard({
    table,
    body: table.tBodies[0] ?? table.createTBody(),
    title: byId('title'),
    flag: byId('flag'),
    clock: byId('clock'),
    remaining: byId('remaining'),
  });
  let mode = modeFromQuery();
  board.setMode(mode);
  const classFilter = byId<HTMLSelectElement>('class-filter');
  const sort = byId<HTMLSelectElement>('sort');
  sort.value = mode.sort;
  const changeMode = () => {
    mode = { ...(classFilter.value && { classId: classFilter.value }), sort: sort.value === 'best' ? 'best' : 'position' };
    board.setMode(mode);
    keepInAddress(mode);
  };
  classFilter.addEventListener('change', changeMode);
  sort.addEventListener('change', changeMode);

  const classNames = new Map<string, string>();
  const fillClasses = (view: SessionView) => {
    const ids = classesIn(view);
    if (mode.classId && !ids.includes(mode.classId)) ids.push(mode.classId);
    const options = [['', 'Overall'], ...ids.map((id) => [id, classNames.get(id) ?? id])];
    const now = Array.from(classFilter.options, (o) => `${o.value}=${o.text}`).join();
    if (now === options.map(([v, n]) => `${v}=${n}`).join()) return;
    classFilter.replaceChildren(...options.map(([value, name]) => new Option(name, value)));
    classFilter.value = mode.classId ?? '';
  };

  const panel = createControlPanel({ penalties: byId('penalties'), log: byId('control-log') }, { logLimit: 20 });
  // The live map, shown once the event has a course to draw or a rider sends a position (never on the TV board).
  const mapPanel = byId('map-panel');
  const map = createCourseMap(byId<SVGSVGElement>('map'));
  const showMap = () => {
    if (!tv) mapPanel.hidden = false;
  };
  setInterval(map.tick, 1000);
  let shown: { seq: number; view: SessionView } | undefined;
  /** Class names and the map's course come from the event's declaration (the view carries class ids). */
  const readDeclaration = createEventReader(track, authHeaders, (info) => {
    for (const c of info.classes) classNames.set(c.id, c.name);
    board.setClassNames(new Map(classNames));
    if (shown) fillClasses(shown.view);
    map.setEvent(info);
    if (hasCourse(info)) showMap();
  });
  const client = createTimingClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`,
    onStatus: (s) => {
      showConnection(status, s);
      if (s.kind === 'error' && s.track === track && s.session === session && (s.code === 'forbidden' || s.code === 'auth_required')) void askForAccess(s.message);
    },
    onView: (t, s, view, seq) => {
      if (t !== track || s !== session) return;
      shown = { seq, view };
      board.render(view, seq);
      if (tv) layoutTv(table, Number(table.dataset.rows)); // the cars shown: all, or one class's
      panel.render(view);
      fillClasses(view);
      readDeclaration(view.event);
    },
    onPositions: (t, s, riders) => {
      if (t !== track || s !== session) return;
      map.update(riders);
      if (riders.size > 0) showMap();
    },
  });
  if (login) client.auth(login.accessToken);
  client.subscribe(track, session);
  window.pitwall = { client, seq: () => shown?.seq, view: () => shown?.view, classNames: () => Object.fromEntries(classNames) };
}

main().catch((error: unknown) => {
  status.textContent = `error: ${(error as Error).message}`;
});
