import type { SessionView } from '../../actors/contracts/view.ts';
import { createTimingClient } from '../client/timing-client.ts';
import { showConnection } from './connection-status.ts';
import { byId } from './dom.ts';
import { flagName } from './format.ts';
import { currentLogin } from './oidc-login.ts';
import { createEventReader } from './map/course.ts';
import { createCourseMap } from './map/course-map.ts';

/**
 * The live map page (served bundled as `/map.js` for `/map/<track>/<session>`): the session's course and riders,
 * full screen, for a phone or a track-side TV. The course comes from the event's declaration (GET /api/events/…),
 * the riders from the client library's `positions` frames.
 */

/** `/map/<track>/<session>` → its ids, or undefined for another path. */
export function mapRef(pathname: string): { track: string; session: string } | undefined {
  const m = /^\/map\/([a-z0-9-]+)\/([a-z0-9-]+)\/?$/.exec(pathname);
  return m ? { track: m[1]!, session: m[2]! } : undefined;
}

const status = byId('status');
const login = currentLogin();
const headers: Record<string, string> = login ? { authorization: `Bearer ${login.accessToken}` } : {};

function main() {
  const ref = mapRef(location.pathname);
  if (!ref) {
    status.textContent = 'no session in the address: /map/<track>/<session>';
    return;
  }
  const { track, session } = ref;
  byId<HTMLAnchorElement>('board-link').href = `/?track=${track}&session=${session}`;
  const map = createCourseMap(byId<SVGSVGElement>('map'));
  setInterval(map.tick, 1000);
  let shown: { seq: number; view: SessionView } | undefined;
  const readEvent = createEventReader(track, headers, (info) => map.setEvent(info));
  const client = createTimingClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`,
    onStatus: (s) => showConnection(status, s),
    onView: (t, s, view, seq) => {
      if (t !== track || s !== session) return;
      shown = { seq, view };
      const title = `${view.name} · live map`;
      if (byId('title').textContent !== title) {
        byId('title').textContent = title;
        document.title = `${view.name} live map · Pitwall`;
      }
      byId('flag').textContent = flagName(view.flag, view.sectors);
      readEvent(view.event);
    },
    onPositions: (t, s, riders) => {
      if (t === track && s === session) map.update(riders);
    },
  });
  if (login) client.auth(login.accessToken);
  client.subscribe(track, session);
  window.pitwall = { client, seq: () => shown?.seq, view: () => shown?.view };
}

main();
