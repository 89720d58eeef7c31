/**
 * Splitting an RMonitor line into fields, and joining them back.
 *
 * The spec separates fields with "," and quotes text fields; it defines no escaping. Real feeds put spaces after the
 * separator (`$I, "00:00:00", "0/0/0000"`) and names may hold commas or even quotes. So a quoted field ends only at a
 * quote followed by optional blanks and then "," or the end of the line; any other quote inside it is text.
 * Blanks outside quotes are dropped; blanks inside quotes are kept ("Green " is a 6-character flag).
 */

export type SplitResult = { ok: true; fields: string[] } | { ok: false; at: number };

const isBlank = (c: string | undefined) => c === ' ' || c === '\t';

/** Splits the text after the command (without its leading ","); `at` is where an unterminated quote starts. */
export function splitFields(text: string): SplitResult {
  const fields: string[] = [];
  let i = 0;
  const n = text.length;
  for (;;) {
    while (isBlank(text[i])) i++;
    if (text[i] === '"') {
      const start = i + 1;
      let end = -1;
      for (let j = start; j < n; j++) {
        if (text[j] !== '"') continue;
        let k = j + 1;
        while (isBlank(text[k])) k++;
        if (k >= n || text[k] === ',') {
          end = j;
          i = k;
          break;
        }
      }
      if (end < 0) return { ok: false, at: start - 1 };
      fields.push(text.slice(start, end));
    } else {
      let k = text.indexOf(',', i);
      if (k < 0) k = n;
      fields.push(text.slice(i, k).trim());
      i = k;
    }
    if (i >= n) return { ok: true, fields };
    i++; // the ","
  }
}

/** A quoted field as the spec writes it. */
export const quote = (value: string) => `"${value}"`;
