import type { RowPatch, SessionHeader, SessionView, StandingRow, ViewDiff } from './view.ts';

/**
 * Diffs between session views, used by the actor (to publish), the gateway and every client (to apply). Pure and
 * dependency-free so the browser bundle can carry it. Contract: `applyViewDiff(prev, diffView(prev, next)) ≡ next`.
 */

function changes<T extends object>(prev: T, next: T): { set: Partial<T>; clear: (keyof T)[] } {
  const set: Partial<T> = {};
  const clear: (keyof T)[] = [];
  for (const key of Object.keys(next) as (keyof T)[]) {
    if (next[key] === undefined) continue;
    if (prev[key] !== next[key]) set[key] = next[key];
  }
  for (const key of Object.keys(prev) as (keyof T)[]) {
    if (prev[key] !== undefined && next[key] === undefined) clear.push(key);
  }
  return { set, clear };
}

const isEmpty = (o: object) => Object.keys(o).length === 0;

/** The diff from `prev` to `next`, or undefined when nothing changed. */
export function diffView(prev: SessionView, next: SessionView): ViewDiff | undefined {
  const diff: ViewDiff = {};
  const { rows: prevRows, ...prevHeader } = prev;
  const { rows: nextRows, ...nextHeader } = next;
  const header = changes<SessionHeader>(prevHeader, nextHeader);
  if (!isEmpty(header.set)) diff.header = header.set;
  if (header.clear.length) diff.headerClear = header.clear;

  const before = new Map(prevRows.map((r) => [r.number, r]));
  const rows: Record<string, RowPatch> = {};
  for (const row of nextRows) {
    const old = before.get(row.number);
    const { set, clear } = changes<StandingRow>(old ?? ({} as StandingRow), row);
    const patch: RowPatch = {};
    if (!isEmpty(set)) patch.set = set;
    if (clear.length) patch.clear = clear;
    if (!isEmpty(patch)) rows[row.number] = patch;
  }
  if (!isEmpty(rows)) diff.rows = rows;
  const order = nextRows.map((r) => r.number);
  if (order.length !== prevRows.length || order.some((n, i) => prevRows[i]?.number !== n)) diff.order = order;
  return isEmpty(diff) ? undefined : diff;
}

function patched<T extends object>(base: T, set: Partial<T> | undefined, clear: (keyof T)[] | undefined): T {
  const out = { ...base, ...set };
  for (const key of clear ?? []) delete out[key];
  return out;
}

/** `view` with `diff` applied; `view` is not modified. */
export function applyViewDiff(view: SessionView, diff: ViewDiff): SessionView {
  const { rows, ...header } = view;
  const nextHeader = patched<SessionHeader>(header, diff.header, diff.headerClear);
  const byNumber = new Map(rows.map((r) => [r.number, r]));
  for (const [number, patch] of Object.entries(diff.rows ?? {})) {
    byNumber.set(number, patched<StandingRow>(byNumber.get(number) ?? ({} as StandingRow), patch.set, patch.clear));
  }
  const order = diff.order ?? rows.map((r) => r.number);
  const nextRows = order.map((number) => {
    const row = byNumber.get(number);
    if (!row) throw new Error(`diff names car ${number} in its order but has no row for it`);
    return row;
  });
  return { ...nextHeader, rows: nextRows };
}
