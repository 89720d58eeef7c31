import fs from 'node:fs';
import { createCaptureParser, type CaptureEntry } from './capture-parser.ts';
import { RmonitorParseError } from './errors.ts';
import { createLineFramer } from './line-framer.ts';

export type { CaptureEntry } from './capture-parser.ts';

/** Longest line accepted by default: real records are < 110 characters, `ftcar` JSON lines in mixed logs ~1 KB. */
export const DEFAULT_MAX_LINE = 16 * 1024;

/**
 * Reads a capture file as an async stream of entries (see capture-parser.ts), in file order, without loading the
 * whole file. Handles the BOM, CR LF and CR CR LF, and a last line without line ending.
 */
export async function* readCapture(file: string, opts: { maxLineLength?: number } = {}): AsyncGenerator<CaptureEntry> {
  const parser = createCaptureParser();
  let pending: CaptureEntry[] = [];
  const framer = createLineFramer(
    {
      onLine: (text, lineNo) => {
        for (const e of parser.line(text, lineNo)) pending.push(e);
      },
      onTooLong: (head, lineNo) => {
        pending.push({ line: lineNo, raw: head, error: new RmonitorParseError('too-long', lineNo, head, 'line over the maximum length') });
      },
    },
    { maxLength: opts.maxLineLength ?? DEFAULT_MAX_LINE },
  );
  const flush = function* () {
    const out = pending;
    pending = [];
    yield* out;
  };
  for await (const chunk of fs.createReadStream(file)) {
    framer.push(chunk as Buffer);
    yield* flush();
  }
  framer.end();
  yield* flush();
}
