/**
 * RMonitor times → integer microseconds (DESIGN units).
 *
 * Accepts "HH:MM:SS", "HH:MM:SS.DDD" (1–6 fraction digits), "MM:SS.DDD", "SS.DDD", a leading sign ("+00:00:00.012"
 * in `$COR`) and a negative component (Orbits counts down to the start as "00:00:-47", meaning −47 s).
 * Returns null for an empty field and undefined for anything else.
 */
const TIME = /^([+-])?(?:(-?\d{1,6}):)??(?:(-?\d{1,2}):)?(-?\d{1,2})(?:\.(\d{1,6}))?$/;

export function parseRmonTime(text: string): number | null | undefined {
  const s = text.trim();
  if (s === '') return null;
  const m = TIME.exec(s);
  if (!m) return undefined;
  const [, sign, h, min, sec = '0', frac = ''] = m;
  const fracUs = Number(frac.padEnd(6, '0'));
  const secUs = Math.abs(Number(sec)) * 1_000_000 + fracUs;
  const signedSecUs = sec.startsWith('-') ? -secUs : secUs;
  const total = Number(h ?? 0) * 3_600_000_000 + Number(min ?? 0) * 60_000_000 + signedSecUs;
  return sign === '-' ? -total : total + 0; // + 0 turns -0 into 0
}

/** An integer field: null when empty, undefined when not an integer. */
export function parseRmonInt(text: string): number | null | undefined {
  const s = text.trim();
  if (s === '') return null;
  if (!/^[+-]?\d{1,15}$/.test(s)) return undefined;
  return Number(s) + 0;
}
