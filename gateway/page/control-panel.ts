import type { SessionView } from '../../actors/contracts/view.ts';
import { formatLap } from './format.ts';

/**
 * Race control's part of a session page (spectators and officials): the penalties given and the control log, newest
 * first. Each list is rebuilt only when the view brings a new array (views keep unchanged arrays), items keyed by
 * the command id (`data-id`).
 */
export interface ControlPanelElements {
  penalties: HTMLElement;
  log: HTMLElement;
}

const clockOf = (atMs: number) => new Date(atMs).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** `#7 +5.000 s — track limits`: a penalty in words (the driver view lists its car's the same way). */
export function penaltyText(p: NonNullable<SessionView['penalties']>[number]): string {
  const what = p.type === 'time' ? `+${formatLap(p.timeUs)} s` : p.type === 'laps' ? `−${p.laps} lap${p.laps === 1 ? '' : 's'}` : p.type === 'dsq' ? 'disqualified' : p.type;
  return `#${p.car} ${what}${p.why ? ` — ${p.why}` : ''}`;
}

export function createControlPanel(els: ControlPanelElements, opts: { logLimit: number }) {
  let shownPenalties: unknown;
  let shownLog: unknown;
  const fill = (list: HTMLElement, items: { id: string; text: string }[]) => {
    list.replaceChildren(...items.map(({ id, text }) => {
      const li = document.createElement('li');
      li.dataset.id = id;
      li.textContent = text;
      return li;
    }));
  };
  return {
    render(view: SessionView) {
      if (view.penalties !== shownPenalties) {
        shownPenalties = view.penalties;
        fill(els.penalties, [...(view.penalties ?? [])].reverse().map((p) => ({ id: p.id, text: penaltyText(p) })));
      }
      if (view.controlLog !== shownLog) {
        shownLog = view.controlLog;
        fill(els.log, (view.controlLog ?? []).slice(-opts.logLimit).reverse().map((e) => ({
          id: e.id, text: `${clockOf(e.atMs)} ${e.text}${e.why && e.verb !== 'penalty' ? ` — ${e.why}` : e.why ? ` (${e.why})` : ''}`,
        })));
      }
    },
  };
}
