/**
 * The small checks a validator is made of. Each records a problem (with the path it is about) instead of throwing,
 * so a validator reports every problem at once; each returns whether the value passed, so a caller can go deeper
 * only into values of the right shape.
 */
export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const SLUG = /^[a-z0-9-]+$/;

export interface Checks {
  problems: string[];
  need(ok: boolean, problem: string): boolean;
  slug(v: unknown, at: string): boolean;
  text(v: unknown, at: string): boolean;
  positive(v: unknown, at: string): boolean;
  object(v: unknown, at: string): v is Obj;
  /** The list's items, or none when it is not a list. */
  list(v: unknown, at: string): unknown[];
  /** Fields not in `fields` are problems (a typo must not silently drop a rule). */
  known(v: Obj, fields: readonly string[], at: string): void;
  /** `v` is not in `seen` yet; adds it. */
  unique(seen: Set<string>, v: unknown, at: string): boolean;
}

export function createChecks(): Checks {
  const problems: string[] = [];
  const need = (ok: boolean, problem: string) => {
    if (!ok) problems.push(problem);
    return ok;
  };
  return {
    problems,
    need,
    slug: (v, at) => need(typeof v === 'string' && SLUG.test(v), `${at} must be a slug [a-z0-9-]+`),
    text: (v, at) => need(typeof v === 'string' && v.length > 0, `${at} must be a non-empty string`),
    positive: (v, at) => need(Number.isSafeInteger(v) && (v as number) > 0, `${at} must be a positive integer`),
    object: (v, at): v is Obj => need(isObj(v), `${at} must be an object`),
    list: (v, at) => (need(Array.isArray(v), `${at} must be a list`) && Array.isArray(v) ? v : []),
    known(v, fields, at) {
      for (const key of Object.keys(v)) {
        if (!fields.includes(key)) problems.push(`${at ? `${at}.` : ''}${key} is not a known field`);
      }
    },
    unique(seen, v, at) {
      const ok = need(!seen.has(String(v)), `${at} '${String(v)}' is declared twice`);
      seen.add(String(v));
      return ok;
    },
  };
}
