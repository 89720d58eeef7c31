import { createTimingClient, PositionRefusedError, type TimingClient } from '../client/index.ts';
import type { PositionFrame } from '../protocol.ts';
import { byId } from './dom.ts';

/**
 * The rider page (`/rider`, issue 15): a competitor's phone reports its positions. The rider pastes the token from
 * `pitwall rider token` once (kept in localStorage); the page logs in on `/ws` with it (the gateway answers with the
 * entry the token is for), then sends every fix of `navigator.geolocation.watchPosition` as a `position` frame.
 * Fixes taken while the connection is down wait in a queue (the last MAX_QUEUED) and go out, oldest first, once it
 * is back; a refused fix is dropped and the reason shown. The screen is kept on with a wake lock where there is one.
 */

const TOKEN_KEY = 'pitwall.rider.token';
/** About 25 minutes of 1 Hz fixes: enough for a tunnel or a dead zone, bounded on a phone. */
const MAX_QUEUED = 1500;

type Fix = Omit<PositionFrame, 'type' | 'ref' | 'event' | 'number'>;

const show = (id: string, text: string) => { byId(id).textContent = text; };
const problem = (text: string) => show('problem', text);

let client: TimingClient | undefined;
let entry: { event: string; number: string } | undefined;
let connected = false;
let watchId: number | undefined;
let wakeLock: { release(): Promise<void> } | undefined;
const queue: Fix[] = [];
let sending = false;
let sent = 0;
let acked = 0;
/** The problem shown is the GPS's: a fix that comes clears it (phones report passing errors while they search). */
let gpsProblem = false;

const tokenInput = byId<HTMLTextAreaElement>('token');
tokenInput.value = localStorage.getItem(TOKEN_KEY) ?? '';

const counts = () => {
  show('sent', String(sent));
  show('acked', String(acked));
  show('queued', String(queue.length));
};

/** Sends the queue in order, one fix at a time, while the connection is logged in with an entry. */
async function flush() {
  if (sending) return;
  sending = true;
  try {
    while (client && connected && entry && queue.length > 0) {
      const fix = queue[0]!;
      sent++;
      counts();
      try {
        await client.position({ event: entry.event, number: entry.number, ...fix });
        acked++;
        queue.shift();
      } catch (error) {
        if (!(error instanceof PositionRefusedError)) break; // not connected: it stays queued for the reconnect
        queue.shift();
        problem(`A position was refused: ${error.message}`);
      }
      counts();
    }
  } finally {
    sending = false;
  }
}

const GEO_ERRORS: Record<number, string> = {
  1: 'Location permission is denied: allow location for this site in the browser settings, then press Start again.',
  2: 'The phone has no position yet: go outside with a clear view of the sky.',
  3: 'No position within 30 s: still waiting for the GPS.',
};

async function keepScreenOn() {
  const nav = navigator as Navigator & { wakeLock?: { request(type: 'screen'): Promise<{ release(): Promise<void> }> } };
  if (!nav.wakeLock) return;
  try {
    wakeLock = await nav.wakeLock.request('screen');
  } catch {
    wakeLock = undefined; // refused (battery saver): the hint tells the rider to keep the screen on
  }
}

function start() {
  const token = tokenInput.value.trim();
  if (!token) return problem('Paste your rider token first (from the organiser: pitwall rider token).');
  if (!('geolocation' in navigator)) return problem('This browser has no location service.');
  if (!window.isSecureContext) return problem('Location needs HTTPS: open this page through the organiser\'s https:// address.');
  problem('');
  client?.close();
  client = createTimingClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`,
    onAuth: (login) => {
      entry = login.entry;
      if (!entry) {
        connected = false;
        return problem('This token is not a rider token (it names no entry): ask the organiser for one from pitwall rider token.');
      }
      connected = true;
      show('entry', `Reporting for ${entry.event} #${entry.number}`);
      show('connection', 'connected');
      void flush();
    },
    onStatus: (s) => {
      if (s.kind === 'connecting') show('connection', s.attempt > 1 ? `reconnecting (attempt ${s.attempt})` : 'connecting');
      else if (s.kind === 'closed') {
        connected = false;
        show('connection', s.retryInMs === undefined ? 'stopped' : `lost: retrying in ${Math.ceil(s.retryInMs / 1000)} s`);
      } else if (s.kind === 'error' && s.code === 'auth_failed') {
        connected = false;
        show('connection', 'token refused');
        problem(`The token was refused (${s.message}): ask the organiser for a new one.`);
      }
    },
  });
  client.auth(token);
  watchId = navigator.geolocation.watchPosition((p) => {
    const { latitude: lat, longitude: lon, speed, accuracy } = p.coords;
    queue.push({ atMs: p.timestamp, lat, lon, ...(speed !== null && Number.isFinite(speed) && { speed }), ...(Number.isFinite(accuracy) && { accuracy }) });
    if (queue.length > MAX_QUEUED) queue.shift();
    show('gps', 'tracking');
    if (gpsProblem) problem('');
    gpsProblem = false;
    show('accuracy', `${Math.round(accuracy)} m`);
    counts();
    void flush();
  }, (error) => {
    show('gps', error.code === 1 ? 'denied' : 'waiting');
    problem(GEO_ERRORS[error.code] ?? error.message);
    gpsProblem = true;
  }, { enableHighAccuracy: true, maximumAge: 0, timeout: 30_000 });
  void keepScreenOn();
  byId('start').hidden = true;
  byId('stop').hidden = false;
}

function stop() {
  if (watchId !== undefined) navigator.geolocation.clearWatch(watchId);
  watchId = undefined;
  client?.close();
  client = undefined;
  connected = false;
  void wakeLock?.release();
  wakeLock = undefined;
  show('gps', 'stopped');
  byId('start').hidden = false;
  byId('stop').hidden = true;
}

byId('start').addEventListener('click', start);
byId('stop').addEventListener('click', stop);
byId<HTMLFormElement>('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  localStorage.setItem(TOKEN_KEY, tokenInput.value.trim());
  problem('');
  show('entry', 'Token saved: press Start tracking');
});
byId('forget').addEventListener('click', () => {
  stop();
  localStorage.removeItem(TOKEN_KEY);
  tokenInput.value = '';
  show('entry', 'No token yet');
});
// A wake lock ends when the page is hidden; take it again when the rider comes back to it.
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && watchId !== undefined) void keepScreenOn();
});
