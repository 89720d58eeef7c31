import type { SessionView, StandingRow } from '../../actors/contracts/view.ts';
import { formatClock, formatGap, formatLap, formatRemaining } from './format.ts';

/** The columns of the live order, left to right. */
const COLUMNS: { key: string; cell: (r: StandingRow) => string }[] = [
  { key: 'pos', cell: (r) => String(r.position) },
  { key: 'number', cell: (r) => r.number },
  { key: 'name', cell: (r) => r.name },
  { key: 'class', cell: (r) => r.class },
  { key: 'laps', cell: (r) => String(r.laps) },
  { key: 'last', cell: (r) => formatLap(r.lastLapUs) },
  { key: 'best', cell: (r) => formatLap(r.bestLapUs) },
  { key: 'gap', cell: (r) => formatGap(r.gapUs, r.gapLaps) },
  { key: 'interval', cell: (r) => formatGap(r.intervalUs, r.intervalLaps) },
];

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

/**
 * Renders views into the board in place: rows keyed by car number (`data-car`), a cell written only when its text
 * changes, rows moved only when the order changed. The table's `data-seq` is the seq of the view it shows.
 */
export function createBoard(els: BoardElements) {
  const rows = new Map<string, HTMLTableRowElement>();

  const rowFor = (number: string): HTMLTableRowElement => {
    let tr = rows.get(number);
    if (!tr) {
      tr = document.createElement('tr');
      tr.dataset.car = number;
      for (const { key } of COLUMNS) {
        const td = document.createElement('td');
        td.className = key;
        tr.appendChild(td);
      }
      rows.set(number, tr);
    }
    return tr;
  };

  return {
    render(view: SessionView, seq: number) {
      setText(els.title, view.name);
      setText(els.flag, view.sectors ? `${view.flag} S${view.sectors.join(', S')}` : view.flag);
      els.flag.dataset.flag = view.flag;
      setText(els.clock, formatClock(view.clockUs));
      setText(els.remaining, formatRemaining(view.remainingUs, view.remainingLaps));
      const present = new Set<string>();
      let previous: HTMLTableRowElement | null = null;
      for (const row of view.rows) {
        present.add(row.number);
        const tr = rowFor(row.number);
        COLUMNS.forEach(({ cell }, i) => {
          const td = tr.children[i];
          if (td) setText(td, cell(row));
        });
        tr.classList.toggle('finished', row.finished === true);
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
      els.table.dataset.seq = String(seq);
    },
  };
}
