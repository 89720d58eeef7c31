/**
 * JSON output is in milliseconds with the unit in the name (DESIGN §2 "Units"): every numeric `…Us` field of the
 * wire becomes `…Ms` (µs / 1000, fractions kept). Other fields, including ones added later, pass through.
 */
export function inMs(record: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (key.endsWith('Us') && typeof value === 'number') out[`${key.slice(0, -2)}Ms`] = value / 1000;
    else out[key] = value;
  }
  return out;
}
