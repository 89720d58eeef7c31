import type { EventDeclaration } from '../../actors/contracts/declaration.ts';

/** transponder → car number: every transponder an entry declares (`transponder` and the further `transponders`). */
export function transponderMap(declaration: EventDeclaration): Map<string, string> {
  return new Map(declaration.entries.flatMap((e) => [e.transponder, ...(e.transponders ?? [])].flatMap((t) => (t ? [[t, e.number] as const] : []))));
}
