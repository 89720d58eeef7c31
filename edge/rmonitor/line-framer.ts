import { StringDecoder } from 'node:string_decoder';

/**
 * Turns a byte stream (TCP, file) into lines. RMonitor ends a record with CR LF; real feeds also send CR CR LF and
 * bare LF, so a line ends at LF and trailing CRs are dropped. A UTF-8 BOM at the very start is dropped.
 *
 * A line longer than `maxLength` characters is not buffered without bound: it is reported once (`onTooLong`, with
 * its first characters) and skipped up to the next LF, where framing resumes.
 */
export interface LineFramer {
  push(chunk: Buffer | string): void;
  /** End of stream: a last line without LF (a truncated capture) is still delivered. */
  end(): void;
}

export interface LineFramerHandlers {
  /** `lineNo` counts every LF-terminated line from 1, blank ones included (so it matches an editor's numbering). */
  onLine(line: string, lineNo: number): void;
  onTooLong(head: string, lineNo: number): void;
}

export function createLineFramer(handlers: LineFramerHandlers, opts: { maxLength: number }): LineFramer {
  const decoder = new StringDecoder('utf8');
  let buffer = '';
  let lineNo = 0;
  let skipping = false; // inside an over-long line
  let first = true;

  const emit = (line: string) => {
    lineNo++;
    handlers.onLine(line, lineNo);
  };

  const feed = (text: string) => {
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    let from = 0;
    for (;;) {
      const lf = text.indexOf('\n', from);
      if (lf < 0) break;
      if (skipping) skipping = false;
      else {
        const line = (buffer + text.slice(from, lf)).replace(/\r+$/, '');
        if (line.length > opts.maxLength) tooLong(line);
        else emit(line);
      }
      buffer = '';
      from = lf + 1;
    }
    if (skipping) return;
    buffer += text.slice(from);
    if (buffer.replace(/\r+$/, '').length > opts.maxLength) {
      tooLong(buffer);
      buffer = '';
      skipping = true;
    }
  };

  const tooLong = (head: string) => {
    lineNo++;
    handlers.onTooLong(head.slice(0, 80), lineNo);
  };

  return {
    push(chunk) {
      feed(typeof chunk === 'string' ? chunk : decoder.write(chunk));
    },
    end() {
      feed(decoder.end());
      if (!skipping && buffer.length > 0) emit(buffer.replace(/\r+$/, ''));
      buffer = '';
      skipping = false;
    },
  };
}
