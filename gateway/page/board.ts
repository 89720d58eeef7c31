import type { SessionView, StandingRow } from '../../actors/contracts/view.ts';
import { boardRows, type BoardMode, type ShownRow } from './board-rows.ts';
import { flagName, formatClock, formatGained, formatGap, formatLap, formatPenalty, formatRemaining } from './format.ts';

/** What the pit column says: in the pit lane now, out of the race, or the stops made. */
export function pitText(r: StandingRow): string {
  if (r.pit) return 'PIT';
  if (r.status === 'dnf' || r.status === 'dsq' || r.status === 'dns') return r.status.toUpperCase();
  return r.pitStops ? String(r.pitStops) : '';
}

/** The columns of the live order, left to right (tests read cells by these indexes: laps is the fifth). */
export const BOARD_COLUMNS: { key: string; cell: (s: ShownRow, className: string) => string }[] = [
  { key: 'pos', cell: (s) => String(s.position) },
  { key: 'number', cell: (s) => s.row.number },
  { key: 'name', cell: (s) => s.row.name },
  { key: 'class', cell: (_, className) => className },
  { key: 'laps', cell: (s) => String(s.row.laps) },
  { key: 'last', cell: (s) => formatLap(s.row.lastLapUs) },
  { key: 'best', cell: (s) => formatLap(s.row.bestLapUs) },
  { key: 'gap', cell: (s) => formatGap(s.gapUs, s.gapLaps) },
  { key: 'interval', cell: (s) => formatGap(s.intervalUs, s.intervalLaps) },
  { key: 'pit', cell: (s) => pitText(s.row) },
  { key: 'gained', cell: (s) => formatGained(s.row.positionsGained) },
  { key: 'penalty', cell: (s) => formatPenalty(s.row.penaltyUs) },
];
const LAST = BOARD_COLUMNS.findIndex((c) => c.key === 'last');
const BEST = BOARD_COLUMNS.findIndex((c) => c.key === 'best');

/** Best-lap marks in words, for the cell's title (the mark itself is a symbol and a colour: never colour alone). */
const BEST_TITLES: Record<string, string> = { overall: 'fastest lap of the session', class: 'fastest lap in class', personal: 'personal best' };

export interface BoardElements {
  table: HTMLTableElement;
  body: HTMLTableSectionElement;
  title: HTMLElement;
  flag: HTMLElement;
  clock: HTMLElement;
  remaining: HTMLElement;
}

const setText = (el: Element, text: string) => {
  if (el.textContent !== text) el.textContent = text; // untouched cells keep their DOM: no flicker
};
const setData = (el: HTMLElement, key: string, value: string | undefined) => {
  if (value === undefined) delete el.dataset[key];
  else if (el.dataset[key] !== value) el.dataset[key] = value;
};
const setBest = (td: HTMLElement, mark: string | undefined) => {
  setData(td, 'best', mark);
  const title = mark ? BEST_TITLES[mark] : undefined;
  if (title) td.title = title;
  else td.removeAttribute('title');
};

/**
 * Renders views into the board in place: rows keyed by car number (`data-car`), a cell written only when its text
 * changes, rows moved only when the order changed. The table's `data-seq` is the seq of the view it shows. Shows the
 * whole field or one class, by position or best lap (setMode), with class names from the declaration (setClassNames).
 */
export function createBoard(els: BoardElements) {
  const rows = new Map<string, HTMLTableRowElement>();
  let mode: BoardMode = { sort: 'position' };
  let classNames = new Map<string, string>();
  let last: { view: SessionView; seq: number } | undefined;

  const rowFor = (number: string): HTMLTableRowElement => {
    let tr = rows.get(number);
    if (!tr) {
      tr = document.createElement('tr');
      tr.dataset.car = number;
      for (const { key } of BOARD_COLUMNS) {
        const td = document.createElement(key === 'number' ? 'th' : 'td');
        if (key === 'number') td.setAttribute('scope', 'row');
        td.className = key;
        tr.appendChild(td);
      }
      rows.set(number, tr);
    }
    return tr;
  };

  const render = (view: SessionView, seq: number) => {
    last = { view, seq };
    setText(els.title, view.name);
    setText(els.flag, flagName(view.flag, view.sectors));
    els.flag.dataset.flag = view.flag;
    setText(els.clock, formatClock(view.clockUs));
    setText(els.remaining, formatRemaining(view.remainingUs, view.remainingLaps));
    const present = new Set<string>();
    let previous: HTMLTableRowElement | null = null;
    for (const shown of boardRows(view, mode)) {
      const { row } = shown;
      present.add(row.number);
      const tr = rowFor(row.number);
      const className = classNames.get(row.class) ?? row.class;
      BOARD_COLUMNS.forEach(({ cell }, i) => {
        const td = tr.children[i];
        if (td) setText(td, cell(shown, className));
      });
      setBest(tr.children[LAST] as HTMLElement, shown.lastBest);
      setBest(tr.children[BEST] as HTMLElement, shown.best);
      tr.classList.toggle('finished', row.finished === true);
      setData(tr, 'pit', row.pit ? 'in' : undefined);
      setData(tr, 'status', row.status);
      const wanted: ChildNode | null = previous ? previous.nextSibling : els.body.firstChild;
      if (wanted !== tr) els.body.insertBefore(tr, wanted);
      previous = tr;
    }
    for (const [number, tr] of rows) {
      if (!present.has(number)) {
        tr.remove();
        rows.delete(number);
      }
    }
    els.table.dataset.rows = String(present.size); // how many cars are shown (TV mode's layout follows it)
    els.table.dataset.seq = String(seq);
  };

  return {
    render,
    setMode(next: BoardMode) {
      mode = next;
      if (last) render(last.view, last.seq);
    },
    setClassNames(names: Map<string, string>) {
      classNames = names;
      if (last) render(last.view, last.seq);
    },
  };
}
