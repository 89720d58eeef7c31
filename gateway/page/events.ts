import { sortSessions, type ListedEvent, type ListedSession, type LiveSessionInfo } from './event-list.ts';
import { currentLogin, logout } from './oidc-login.ts';
import { finishSpectatorLogin, spectatorLoginConfig, startSpectatorLogin } from './spectator-login.ts';
import { byId } from './dom.ts';

/**
 * The events page's script (served bundled as `/events.js`, page `/events`): the sessions of the events this
 * browser may see, live now, upcoming and recent, each linking to its live board and TV screen, and finished ones to their results. Private events are
 * listed only after a login of their organisation; the page offers it when the gateway has an identity provider.
 */

const status = byId('status');

function item(s: ListedSession): HTMLLIElement {
  const li = document.createElement('li');
  li.dataset.track = s.track;
  li.dataset.session = s.session;
  const state = document.createElement('span');
  state.className = 'state';
  state.textContent = s.state ?? s.type;
  const board = document.createElement('a');
  board.href = `/?track=${s.track}&session=${s.session}`;
  board.textContent = s.name;
  const event = document.createElement('span');
  event.className = 'event';
  event.textContent = ` — ${s.eventName} (${s.track})`;
  const links = document.createElement('div');
  links.className = 'links';
  const tv = document.createElement('a');
  tv.href = `/tv?track=${s.track}&session=${s.session}`;
  tv.textContent = 'TV screen';
  tv.setAttribute('aria-label', `${s.name}, ${s.eventName}: TV screen`);
  links.append(tv);
  if (s.state === 'finished' || s.state === 'official') {
    const results = document.createElement('a');
    results.href = `/results/${s.track}/${s.session}`;
    results.textContent = 'Results';
    results.setAttribute('aria-label', `${s.name}, ${s.eventName}: results`);
    links.append(results);
  }
  li.append(state, board, event, links);
  return li;
}

async function main() {
  const config = await spectatorLoginConfig();
  if (config) {
    const next = await finishSpectatorLogin(config);
    if (next && next !== '/events') return location.replace(next);
    if (next) history.replaceState(null, '', '/events');
  }
  const login = currentLogin();
  const loginButton = byId<HTMLButtonElement>('login');
  const logoutButton = byId<HTMLButtonElement>('logout');
  if (login) {
    byId('who').textContent = 'logged in: private events of your club are listed';
    logoutButton.hidden = false;
    logoutButton.addEventListener('click', () => {
      logout();
      location.reload();
    });
  } else if (config) {
    loginButton.hidden = false;
    loginButton.addEventListener('click', () => void startSpectatorLogin('/events'));
  }

  const headers: Record<string, string> = login ? { authorization: `Bearer ${login.accessToken}` } : {};
  const [res, liveRes] = await Promise.all([fetch('/api/events', { headers }), fetch('/api/sessions', { headers })]);
  if (!res.ok || !liveRes.ok) {
    status.textContent = `the events could not be read: ${res.ok ? liveRes.status : res.status}`;
    return;
  }
  const { events } = (await res.json()) as { events: ListedEvent[] };
  const { sessions: live } = (await liveRes.json()) as { sessions: LiveSessionInfo[] };
  const sorted = sortSessions(events, live);
  for (const [id, sessions] of Object.entries(sorted)) byId(id).replaceChildren(...sessions.map(item));
  status.textContent = `${events.length} ${events.length === 1 ? 'event' : 'events'}`;
  document.body.dataset.loaded = 'true';
}

main().catch((error: unknown) => {
  status.textContent = `error: ${(error as Error).message}`;
});
