import type { Registry } from 'prom-client';
import type { EventDeclaration } from '../actors/contracts/declaration.ts';
import type { SessionInput } from '../actors/contracts/events.ts';
import type { EdgeRmonMessage } from '../actors/contracts/rmonitor.ts';
import type { SessionActorOptions } from '../actors/session-actor.ts';
import { type Agreement, createAgreement } from '../actors/rmonitor/agreement/agreement.ts';
import { CAUSES } from '../actors/rmonitor/agreement/tally.ts';
import { createRmonMapping, type MappedInput, type RmonMapping } from '../actors/rmonitor/map.ts';
import type { Log } from './log.ts';
import { inputErrors, labelledCounter } from './metrics.ts';

/**
 * Live RMonitor (`edge.<track>.<device>.rmon`): each device's records are mapped to session inputs
 * (actors/rmonitor/map.ts) in mode follow — the session view shows the program's own positions; the feed's `$F`
 * shows the checkered — and written to RACE like any input. Alongside, independent scoring of the same records is compared with the program's boards
 * (actors/rmonitor/agreement, as `pitwall score --report`): rows compared and disagreements by cause are counted on
 * `/metrics` (`pitwall_rmonitor_rows_compared_total{board}`, `pitwall_rmonitor_disagreements_total{board,cause}`)
 * and shown in the session's view (header `programRows`, `programDisagreements`, `programRuleDisagreements`).
 *
 * A feed's sessions belong to the event named by the device; its runs are sessions `run-<n>`. Contract with ingest:
 * `open` is called before the first input of a session (with the declaration the feed gives), `write` publishes one
 * input with a message id derived from the edge reading, so a redelivered message writes nothing twice; a message
 * retried after a failed write is mapped once.
 */
export interface RmonitorIngestDeps {
  registry: Registry;
  log: Log;
  open(track: string, event: string, session: string, declaration: EventDeclaration, scoring: SessionActorOptions): Promise<void>;
  write(track: string, session: string, input: SessionInput, msgId: string): Promise<unknown>;
}

export interface RmonitorIngest {
  onMessage(track: string, device: string, message: EdgeRmonMessage): Promise<void>;
}

interface Feed {
  mapping: RmonMapping;
  agreement: Agreement;
  opened: Set<string>;
  counted: Map<string, number>;
  /** Per session: the time of its latest input, and the agreement last written to it. */
  atUs: Map<string, number>;
  shown: Map<string, string>;
  /** The last message's inputs: ingest retries a message whose writes failed, and the mapping must see it once. */
  last?: { id: string; outputs: MappedInput[] };
}

export function createRmonitorIngest(deps: RmonitorIngestDeps): RmonitorIngest {
  const errors = inputErrors(deps.registry);
  const rows = labelledCounter(deps.registry, 'pitwall_rmonitor_rows_compared_total', 'RMonitor $G/$H rows compared with independent scoring', ['board']);
  const disagreements = labelledCounter(deps.registry, 'pitwall_rmonitor_disagreements_total',
    'RMonitor $G/$H rows that disagree with independent scoring, by cause (docs/scoring-accuracy.md)', ['board', 'cause']);
  const feeds = new Map<string, Feed>();

  const feedOf = (track: string, device: string): Feed => {
    const key = `${track}.${device}`;
    let feed = feeds.get(key);
    if (!feed) {
      feed = {
        mapping: createRmonMapping({ track, event: device, mode: 'follow' }),
        agreement: createAgreement(),
        opened: new Set(),
        counted: new Map(),
        atUs: new Map(),
        shown: new Map(),
      };
      feeds.set(key, feed);
    }
    return feed;
  };

  /** Adds what the comparator counted since the last message to the metrics. */
  const countAgreement = (feed: Feed) => {
    const add = (key: string, total: number, inc: (n: number) => void) => {
      const delta = total - (feed.counted.get(key) ?? 0);
      if (delta > 0) inc(delta);
      feed.counted.set(key, total);
    };
    for (const board of ['race', 'best'] as const) {
      const tallies = feed.agreement.tallies().map((s) => s[board]);
      add(`${board}.rows`, tallies.reduce((n, t) => n + t.records, 0), (n) => rows.inc({ board }, n));
      for (const cause of CAUSES) add(`${board}.${cause}`, tallies.reduce((n, t) => n + t.causes[cause], 0), (n) => disagreements.inc({ board, cause }, n));
    }
  };

  /**
   * Each session's agreement so far goes into its view (header `program…` fields) with the feed's heartbeat (`$F`,
   * once a second) when it changed: one RACE event a second at most, not one per row.
   */
  const showAgreement = async (track: string, feed: Feed, msgId: string) => {
    for (const { session, race, best } of feed.agreement.tallies()) {
      const atUs = feed.atUs.get(session);
      if (!feed.opened.has(session) || atUs === undefined) continue;
      const rows = race.records + best.records;
      const disagreements = rows - race.agree - best.agree;
      const rule = race.causes.rule + best.causes.rule;
      const key = `${rows}/${disagreements}/${rule}`;
      if (feed.shown.get(session) === key) continue;
      feed.shown.set(session, key);
      await deps.write(track, session, { kind: 'agreement', atUs, rows, disagreements, rule }, `${msgId}:agreement:${session}`);
    }
  };

  return {
    async onMessage(track, device, message) {
      if (!message.record) {
        errors.inc({ kind: 'rmonitor_bad_line' }); // the agent sent a line its codec refused: nothing to map
        return;
      }
      const feed = feedOf(track, device);
      const id = `${message.boot}:${message.seq}`;
      if (feed.last?.id !== id) {
        feed.agreement.push(message.record, message.seq);
        countAgreement(feed);
        feed.last = { id, outputs: feed.mapping.push(message.record) };
      }
      for (const [i, { session, input }] of feed.last.outputs.entries()) {
        if (!feed.opened.has(session)) {
          if (input.kind !== 'declaration') {
            deps.log(`rmonitor ${track}/${device}: ${session} has input before its declaration: skipped`, { level: 'warn', track, session });
            continue;
          }
          await deps.open(track, device, session, input.declaration, { mode: 'follow', autoCheckered: false });
          feed.opened.add(session);
        }
        await deps.write(track, session, input, `in:${device}:${message.boot}:${message.seq}:${i}`);
        feed.atUs.set(session, input.atUs);
      }
      if (message.record.type === 'F') await showAgreement(track, feed, `in:${device}:${message.boot}:${message.seq}`);
    },
  };
}
