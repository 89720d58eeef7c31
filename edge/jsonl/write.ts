import fs from 'node:fs';
import type { JsonlRecord } from './records.ts';

/** One record as its line (no newline). */
export const jsonlLine = (record: JsonlRecord): string => JSON.stringify(record);

/** Writes records to a file, one line each; `close()` resolves when everything is on disk. */
export function createJsonlWriter(file: string): { write(record: JsonlRecord): void; close(): Promise<void> } {
  const stream = fs.createWriteStream(file, { encoding: 'utf8' });
  return {
    write: (record) => void stream.write(jsonlLine(record) + '\n'),
    close: () => new Promise((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve()))),
  };
}
