import type { SessionView } from '../../actors/contracts/view.ts';
import { createTimingClient, type TimingClient, type TimingClientStatus } from '../client/timing-client.ts';
import { createBoard } from './board.ts';
import { createControlPanel } from './control-panel.ts';

/** The spectator page's script (served bundled as `/spectator.js`): one session's live order. */

declare global {
  interface Window {
    /** For tests and the curious: the client, and the seq and view the board shows. */
    pitwall?: { client: TimingClient; seq(): number | undefined; view(): SessionView | undefined };
  }
}

const byId = <T extends HTMLElement>(id: string) => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`page has no #${id}`);
  return el as T;
};

const status = byId('status');
const showStatus = (s: TimingClientStatus) => {
  const text: Record<TimingClientStatus['kind'], string> = {
    connecting: 'connecting…',
    open: 'live',
    closed: 'reconnecting…',
    resync: 'catching up…',
    error: s.kind === 'error' ? s.message : '',
  };
  status.textContent = text[s.kind];
  status.dataset.state = s.kind;
};

async function chooseSession(): Promise<{ track: string; session: string }> {
  const query = new URLSearchParams(location.search);
  const track = query.get('track');
  const session = query.get('session');
  if (track && session) return { track, session };
  for (;;) {
    const response = await fetch('/api/sessions');
    const { sessions } = (await response.json()) as { sessions: { track: string; session: string }[] };
    const first = sessions[0];
    if (first) return { track: first.track, session: first.session };
    status.textContent = 'no live session yet';
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

async function main() {
  const { track, session } = await chooseSession();
  const table = byId<HTMLTableElement>('board');
  const board = createBoard({
    table,
    body: table.tBodies[0] ?? table.createTBody(),
    title: byId('title'),
    flag: byId('flag'),
    clock: byId('clock'),
    remaining: byId('remaining'),
  });
  const panel = createControlPanel({ penalties: byId('penalties'), log: byId('control-log') }, { logLimit: 20 });
  let shown: { seq: number; view: SessionView } | undefined;
  const client = createTimingClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`,
    onStatus: showStatus,
    onView: (t, s, view, seq) => {
      if (t !== track || s !== session) return;
      shown = { seq, view };
      board.render(view, seq);
      panel.render(view);
    },
  });
  client.subscribe(track, session);
  window.pitwall = { client, seq: () => shown?.seq, view: () => shown?.view };
}

main().catch((error: unknown) => {
  status.textContent = `error: ${(error as Error).message}`;
});
