import type { SessionView } from '../../actors/contracts/view.ts';
import { createTimingClient } from '../client/timing-client.ts';
import { createBoard } from './board.ts';
import { showConnection } from './connection-status.ts';
import { createControlPanel } from './control-panel.ts';
import { currentLogin, finishLogin, logout, startLogin, type LoginConfig } from './oidc-login.ts';
import { byId } from './dom.ts';
import { parseRaceTime } from './format.ts';
import { choiceLabel, declaredSessions, sameSession, tokenOrg, type SessionChoice } from './session-picker.ts';

/**
 * The race-control page's script (served bundled as `/race-control.js`, page `/race-control`): an official logs in
 * through the identity provider, follows one session's live order, and gives commands over REST
 * (`POST /api/sessions/{track}/{session}/commands/{verb}`); the engine's answer is shown in #reply. The view itself
 * (flag, penalties, control log) comes back over the WebSocket like every spectator's. The session menu lists the
 * organisation's declared sessions; one that is not live can be opened from here (no timing source needed).
 */

const status = byId('status');
const reply = byId('reply');

function showReply(outcome: 'accepted' | 'refused' | 'error', text: string, where: HTMLElement = reply) {
  where.dataset.outcome = outcome;
  where.textContent = text;
}

async function loginConfig(): Promise<LoginConfig | undefined> {
  const res = await fetch('/race-control/config.json');
  if (!res.ok) return undefined;
  const body = (await res.json()) as { issuer?: string; clientId: string; resource: string; scope: string };
  return body.issuer ? { ...body, issuer: body.issuer, redirectUri: `${location.origin}/race-control` } : undefined;
}

type Ref = { track: string; session: string };

/** One command over REST; its answer (or why there is none) is shown in `where` (#reply). */
async function sendCommand(token: string, ref: Ref, verb: string, body: Record<string, unknown>, where = reply): Promise<void> {
  const show = (outcome: 'accepted' | 'refused' | 'error', text: string) => showReply(outcome, text, where);
  show('accepted', `${verb}…`);
  try {
    const res = await fetch(`/api/sessions/${ref.track}/${ref.session}/commands/${verb}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    const answer = (await res.json()) as { outcome?: string; reason?: string; error?: { message: string } };
    if (answer.outcome === 'accepted') show('accepted', `${verb}: accepted`);
    else if (answer.outcome === 'refused') show('refused', `${verb} refused: ${answer.reason}`);
    else show('error', `${verb}: ${answer.error?.message ?? res.status}`);
    if (res.status === 401) {
      logout();
      show('error', 'the login expired: log in again');
    }
  } catch (error) {
    show('error', `${verb}: ${(error as Error).message}`);
  }
}

/**
 * The session the desk follows: `?track=&session=` when given, else the organisation's first live session, else its
 * first declared one. The menu lists the organisation's declared sessions (live ones marked); choosing one reloads
 * the page on it. While the chosen session is not live the Open button opens it, and this waits until it is.
 */
async function chooseSession(token: string): Promise<Ref> {
  const query = new URLSearchParams(location.search);
  const track = query.get('track');
  const session = query.get('session');
  let chosen: Ref | undefined = track && session ? { track, session } : undefined;
  const menu = byId<HTMLSelectElement>('session-choice');
  const openButton = byId<HTMLButtonElement>('open-session');
  byId('session-picker').hidden = false;
  let choices: SessionChoice[] = [];
  menu.addEventListener('change', () => {
    const picked = choices[menu.selectedIndex];
    if (picked) location.search = `?${new URLSearchParams({ track: picked.track, session: picked.session }).toString()}`;
  });
  openButton.addEventListener('click', () => {
    if (chosen) void sendCommand(token, chosen, 'open', {}, byId<HTMLElement>('open-reply'));
  });
  const org = tokenOrg(token);
  for (;;) {
    choices = await declaredSessions(token, org);
    const live = (await (await fetch('/api/sessions', { headers: { authorization: `Bearer ${token}` } })).json()) as { sessions: Ref[] };
    chosen ??= choices.find((c) => c.state !== undefined) ?? live.sessions[0] ?? choices[0];
    const current = chosen;
    if (current && !choices.some((c) => sameSession(c, current))) choices.push({ ...current, name: `${current.track}/${current.session}` });
    menu.replaceChildren(...choices.map((c) => new Option(choiceLabel(c), `${c.track}/${c.session}`, false, current !== undefined && sameSession(c, current))));
    const isLive = current !== undefined && live.sessions.some((l) => sameSession(l, current));
    openButton.hidden = current === undefined || isLive;
    if (current && isLive) return current;
    status.textContent = current ? 'this session is not open: open it to time it' : 'no declared session of your organisation';
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/**
 * Independent scoring against the scoring program's own boards, when the session is a live RMonitor feed (header
 * `programRows`, `programDisagreements`, `programRuleDisagreements`; causes in docs/scoring-accuracy.md).
 */
function renderCrossCheck(view: SessionView) {
  const section = byId('cross-check');
  section.hidden = view.programRows === undefined;
  if (view.programRows === undefined) return;
  byId('cross-check-count').textContent = String(view.programDisagreements ?? 0);
  byId('cross-check-rows').textContent = String(view.programRows);
  byId('cross-check-rule').textContent = String(view.programRuleDisagreements ?? 0);
}

function fillCars(view: SessionView) {
  const numbers = view.rows.map((r) => r.number).sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  for (const select of Array.from(document.querySelectorAll<HTMLSelectElement>('select.cars'))) {
    if (Array.from(select.options).map((o) => o.value).join() === numbers.join()) continue;
    const chosen = select.value;
    select.replaceChildren(...numbers.map((n) => new Option(`#${n}`, n)));
    if (numbers.includes(chosen)) select.value = chosen;
  }
}

async function main() {
  const config = await loginConfig();
  const loginButton = byId<HTMLButtonElement>('login');
  if (!config) {
    status.textContent = 'this gateway has no identity provider configured: race control is not available';
    return;
  }
  const back = await finishLogin(config);
  if (back) history.replaceState(null, '', `/race-control${back.returnQuery}`);
  const login = back?.login ?? currentLogin();
  if (!login) {
    byId('login-needed').hidden = false;
    loginButton.hidden = false;
    status.textContent = 'not logged in';
    loginButton.addEventListener('click', () => void startLogin(config, location.search));
    return;
  }
  const logoutButton = byId<HTMLButtonElement>('logout');
  logoutButton.hidden = false;
  logoutButton.addEventListener('click', () => {
    logout();
    location.reload();
  });
  const token = login.accessToken;
  const { track, session } = await chooseSession(token);
  byId('desk').hidden = false;

  const table = byId<HTMLTableElement>('board');
  const board = createBoard({ table, body: table.tBodies[0] ?? table.createTBody(), title: byId('title'), flag: byId('flag'), clock: byId('clock'), remaining: byId('remaining') });
  const panel = createControlPanel({ penalties: byId('penalties'), log: byId('control-log') }, { logLimit: 200 });
  let shown: { seq: number; view: SessionView } | undefined;
  const client = createTimingClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`,
    onStatus: (s) => {
      showConnection(status, s);
    },
    onAuth: (who) => {
      byId('who').textContent = `${who.org}: ${who.roles.join(', ')}`;
    },
    onView: (t, s, view, seq) => {
      if (t !== track || s !== session) return;
      shown = { seq, view };
      board.render(view, seq);
      panel.render(view);
      byId('state').textContent = view.state;
      fillCars(view);
      renderCrossCheck(view);
    },
  });
  client.auth(token);
  client.subscribe(track, session);
  window.pitwall = { client, seq: () => shown?.seq, view: () => shown?.view };

  // The event's classes, for the class-change form.
  const event = shown?.view.event ?? (await new Promise<string>((resolve) => {
    const timer = setInterval(() => { if (shown) { clearInterval(timer); resolve(shown.view.event); } }, 50);
  }));
  const declared = await fetch(`/api/events/${track}/${event}`, { headers: { authorization: `Bearer ${token}` } });
  if (declared.ok) {
    const { classes } = (await declared.json()) as { classes: { id: string; name: string }[] };
    byId('classes').replaceChildren(...classes.map((c) => new Option(c.name, c.id)));
  }

  const send = (verb: string, body: Record<string, unknown>) => sendCommand(token, { track, session }, verb, body);
  const why = (form: HTMLFormElement) => {
    const text = String(new FormData(form).get('why') ?? '').trim();
    return text ? { why: text } : {};
  };

  for (const button of Array.from(document.querySelectorAll<HTMLButtonElement>('#session-buttons button'))) {
    button.addEventListener('click', () => void send(button.dataset.verb!, {}));
  }
  for (const button of Array.from(document.querySelectorAll<HTMLButtonElement>('#flag-buttons button'))) {
    button.addEventListener('click', () => {
      const sector = Number(byId<HTMLInputElement>('sector').value);
      void send('flag', { flag: button.dataset.flag, ...(button.dataset.flag === 'yellow' && sector > 0 && { sector }) });
    });
  }
  byId<HTMLFormElement>('penalty-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const type = String(data.get('type'));
    void send('penalty', {
      car: data.get('car'), type,
      ...(type === 'time' && { timeMs: Math.round(Number(data.get('seconds')) * 1000) }),
      ...(type === 'laps' && { laps: Number(data.get('laps')) }),
      ...why(form),
    });
  });
  byId<HTMLFormElement>('correction-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const type = String(data.get('type'));
    const time = String(data.get('raceTime') ?? '').trim();
    const raceMs = parseRaceTime(time);
    if (time && type !== 'change-class' && raceMs === undefined) {
      showReply('refused', `race time "${time}": give it as m:ss.mmm, h:mm:ss.mmm or seconds`);
      return;
    }
    void send('correction', {
      type, car: data.get('car'),
      ...(type === 'change-class' && { class: data.get('class') }),
      ...(type === 'fix-number' && { to: data.get('to') }),
      ...(type !== 'change-class' && raceMs !== undefined && { raceMs }),
      ...why(form),
    });
  });
  byId<HTMLFormElement>('note-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    void send('note', { text: new FormData(form).get('text') });
    form.reset();
  });
}

main().catch((error: unknown) => {
  status.textContent = `error: ${(error as Error).message}`;
});
