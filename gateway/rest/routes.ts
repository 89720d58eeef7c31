import type { EventDeclaration } from '../../actors/contracts/declaration.ts';
import type { SessionView } from '../../actors/contracts/view.ts';
import { quote, type ClickHouseHttp } from '../../engine/clickhouse/http.ts';
import type { PrivateEvent, PrivateEventLookup } from '../auth/private-events.ts';
import type { LiveSession } from '../live-sessions.ts';
import type { RestAccess } from './access.ts';
import { apiError, type ApiRequest, type ApiResult } from './http.ts';
import { downloadName, scoreCsv, scoreOfView } from './score-download.ts';
import { inMs } from './units.ts';
import type { ViewRead } from './views.ts';

/** Where the REST API reads from; each is optional in spirit: ClickHouse may be absent (503 on the laps route). */
export interface RestSources {
  live(): (LiveSession & { node: string })[];
  declarations(): Promise<EventDeclaration[]>;
  view(ref: { track: string; session: string }): Promise<ViewRead>;
  clickhouse?: ClickHouseHttp;
  /** Which private events govern a session (none for a public one). */
  privateEvents: PrivateEventLookup;
  /** Who may see a private event's data (access.ts). */
  access: RestAccess;
}

const SLUG = /^[a-z0-9-]+$/;
const CAR = /^[A-Za-z0-9-]{1,16}$/;
const ok = (body: unknown): ApiResult => ({ status: 200, body });

function badIds(ids: Record<string, string | undefined>): ApiResult | undefined {
  for (const [name, value] of Object.entries(ids)) {
    if (value === undefined || !(name === 'car' ? CAR : SLUG).test(value)) {
      return apiError(400, 'bad_request', `${name} must be ${name === 'car' ? 'a car number [A-Za-z0-9-]{1,16}' : 'a slug [a-z0-9-]+'}`);
    }
  }
  return undefined;
}

const sessionSummary = (d: EventDeclaration, live: (LiveSession & { node: string })[]) =>
  d.sessions.map((s) => {
    const running = live.find((l) => l.track === d.track && l.session === s.id);
    return { id: s.id, name: s.name, type: s.type, ...(running ? { state: running.state, node: running.node } : {}) };
  });

function viewFailure(read: Extract<ViewRead, { ok: false }>): ApiResult {
  return read.reason === 'unknown_session' ? apiError(404, 'unknown_session', read.message) : apiError(504, 'engine_timeout', read.message);
}

const privateOf = (d: EventDeclaration): PrivateEvent[] =>
  d.private === true ? [{ track: d.track, event: d.event, ...(typeof d.org === 'string' && { org: d.org }) }] : [];

const header = ({ rows: _rows, controlLog: _log, penalties: _penalties, ...rest }: SessionView) => inMs(rest);
const FINAL_STATES = ['finished', 'official'];

/** The handlers of `/api/…`, each a function of the request; paths and shapes are in openapi.ts. */
export function createRestHandlers(sources: RestSources) {
  const { access } = sources;
  /** Checks ids, then the caller's access to the session (private events: 401/403), then runs `then`. */
  const inSession = async (req: ApiRequest, ids: Record<string, string | undefined>, then: () => ApiResult | Promise<ApiResult>): Promise<ApiResult> => {
    const bad = badIds(ids);
    if (bad) return bad;
    const [track, session] = req.params as [string, string];
    const refused = await access.check(req, await sources.privateEvents({ track, session }), session);
    return refused ?? then();
  };
  const withView = (req: ApiRequest, then: (seq: number, view: SessionView) => ApiResult) => {
    const [track, session] = req.params;
    return inSession(req, { track, session }, () =>
      sources.view({ track: track!, session: session! }).then((read) => (read.ok ? then(read.seq, read.view) : viewFailure(read))));
  };

  /** The event's course for the live map, when it has one: lines with two points (not their loops) and marks. */
  const courseOf = (d: EventDeclaration) => {
    const lines = (d.timingLines ?? []).flatMap((l) => (l.points ? [{ id: l.id, kind: l.kind, points: l.points }] : []));
    return { ...(lines.length > 0 && { timingLines: lines }), ...(d.marks?.length && { marks: d.marks }) };
  };

  return {
    events: async (req: ApiRequest): Promise<ApiResult> => {
      const who = await access.caller(req);
      if (!who.ok) return who.refusal;
      const live = sources.live();
      const list = (await sources.declarations()).filter((d) => privateOf(d).every((ev) => access.sees(who.claims, ev)));
      return ok({ events: list.map((d) => ({ track: d.track, event: d.event, name: d.name, ...(d.org !== undefined && { org: d.org }), sessions: sessionSummary(d, live) })) });
    },

    event: async (req: ApiRequest): Promise<ApiResult> => {
      const [track, event] = req.params;
      const bad = badIds({ track, event });
      if (bad) return bad;
      const d = (await sources.declarations()).find((x) => x.track === track && x.event === event);
      if (!d) return apiError(404, 'unknown_event', `no event ${track}/${event}`);
      const refused = await access.check(req, privateOf(d), event!);
      if (refused) return refused;
      return ok({
        track: d.track, event: d.event, name: d.name,
        classes: d.classes.map((c) => ({ id: c.id, name: c.name })),
        sessions: sessionSummary(d, sources.live()),
        // Transponders, chips and devices stay with timing staff.
        entries: d.entries.map((e) => ({ number: e.number, name: e.name, class: e.class, ...(e.team ? { team: e.team } : {}) })),
        // What the live map draws: GPS virtual lines (those with points) and course marks.
        ...courseOf(d),
      });
    },

    sessions: async (req: ApiRequest): Promise<ApiResult> => {
      const who = await access.caller(req);
      if (!who.ok) return who.refusal;
      const live = sources.live();
      // Fails closed: a session whose declarations cannot be read is left out.
      const visible = await Promise.all(live.map(async (s) => {
        const events = await sources.privateEvents({ track: s.track, session: s.session }).catch(() => undefined);
        return events !== undefined && events.every((ev) => access.sees(who.claims, ev));
      }));
      return ok({ sessions: live.filter((_, i) => visible[i]) });
    },

    standings: (req: ApiRequest) => withView(req, (seq, view) => ok({ seq, session: header(view), standings: view.rows.map(inMs) })),

    results: (req: ApiRequest) => withView(req, (seq, view) => ok({
      seq,
      session: header(view),
      final: FINAL_STATES.includes(view.state),
      results: view.rows.map((r) => inMs({
        position: r.position, classPosition: r.classPosition, number: r.number, name: r.name, class: r.class, laps: r.laps,
        ...(r.bestLapUs === undefined ? {} : { bestLapUs: r.bestLapUs }),
        ...(r.raceUs === undefined ? {} : { raceUs: r.raceUs }),
        ...(r.gapUs === undefined ? {} : { gapUs: r.gapUs }),
        ...(r.gapLaps === undefined ? {} : { gapLaps: r.gapLaps }),
        finished: r.finished === true,
      })),
    })),

    /** The standings as `pitwall score` prints them, for download; provisional until the session is finished. */
    resultsJson: (req: ApiRequest) => withView(req, (_seq, view) => ({ status: 200, body: scoreOfView(view), headers: downloadName(view, 'json') })),

    resultsCsv: (req: ApiRequest) => withView(req, (_seq, view) => ({
      status: 200, body: undefined, headers: downloadName(view, 'csv'),
      text: { contentType: 'text/csv; charset=utf-8', content: scoreCsv(scoreOfView(view).sessions[0]?.standings ?? []) },
    })),

    laps: (req: ApiRequest): Promise<ApiResult> => {
      const [track, session, car] = req.params;
      return inSession(req, { track, session, car }, () => laps(track!, session!, car!));
    },

    /** The flag now, and the flag changes race control made (from the control log; a source's own flags are not listed). */
    flags: (req: ApiRequest) => withView(req, (seq, view) => ok({
      track: view.track, session: view.session, seq, flag: view.flag, ...(view.sectors && { sectors: view.sectors }),
      flags: (view.controlLog ?? []).filter((e) => e.verb === 'flag').map(inMs),
    })),

    controlLog: (req: ApiRequest) => withView(req, (seq, view) => ok({
      track: view.track, session: view.session, seq, entries: (view.controlLog ?? []).map(inMs), penalties: (view.penalties ?? []).map(inMs),
    })),
  };

  async function laps(track: string, session: string, car: string): Promise<ApiResult> {
    if (!sources.clickhouse) {
      return apiError(503, 'no_lap_store', 'this gateway has no ClickHouse access: laps are served by a gateway started with one (pitwall up does)');
    }
    const rows = await sources.clickhouse.rows<{ lap: number; lap_us: string; race_us: string; position: number; flag: string; pit: number }>(
      `SELECT lap, lap_us, race_us, position, flag, pit FROM laps FINAL
       WHERE track = ${quote(track)} AND session = ${quote(session)} AND car = ${quote(car)} ORDER BY lap`);
    return ok({
      track, session, car,
      laps: rows.map((r) => ({ lap: Number(r.lap), lapMs: Number(r.lap_us) / 1000, raceMs: Number(r.race_us) / 1000,
        position: Number(r.position), flag: r.flag, pit: Number(r.pit) === 1 })),
    });
  }
}
