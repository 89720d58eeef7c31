import type { EventDeclaration } from '../../actors/contracts/declaration.ts';

/** What changed between a stored declaration and a new one: sessions and entries added, removed, changed, by id/number. */
export interface DeclarationDiff {
  sessions: { added: string[]; removed: string[]; changed: string[] };
  entries: { added: string[]; removed: string[]; changed: string[] };
  /** Other top-level fields that changed (name, classes, timing lines, …). */
  fields: string[];
}

export function diffDeclarations(before: EventDeclaration | undefined, after: EventDeclaration): DeclarationDiff {
  const fields = before
    ? [...new Set([...Object.keys(before), ...Object.keys(after)])]
        .filter((k) => k !== 'sessions' && k !== 'entries')
        .filter((k) => JSON.stringify(before[k as keyof EventDeclaration]) !== JSON.stringify(after[k as keyof EventDeclaration]))
        .sort()
    : [];
  return {
    sessions: diffList(before?.sessions ?? [], after.sessions, (s) => s.id),
    entries: diffList(before?.entries ?? [], after.entries, (e) => e.number),
    fields,
  };
}

function diffList<T>(before: T[], after: T[], id: (item: T) => string) {
  const old = new Map(before.map((item) => [id(item), JSON.stringify(item)]));
  const now = new Map(after.map((item) => [id(item), JSON.stringify(item)]));
  return {
    added: [...now.keys()].filter((k) => !old.has(k)),
    removed: [...old.keys()].filter((k) => !now.has(k)),
    changed: [...now.keys()].filter((k) => old.has(k) && old.get(k) !== now.get(k)),
  };
}

/** The diff as lines for people: `sessions added: race-3`, …; `unchanged` when nothing changed. */
export function describeDiff(diff: DeclarationDiff): string[] {
  const lines: string[] = [];
  for (const part of ['sessions', 'entries'] as const) {
    for (const how of ['added', 'removed', 'changed'] as const) {
      const ids = diff[part][how];
      if (ids.length > 0) lines.push(`${part} ${how}: ${ids.join(', ')}`);
    }
  }
  if (diff.fields.length > 0) lines.push(`changed: ${diff.fields.join(', ')}`);
  return lines.length > 0 ? lines : ['unchanged'];
}
