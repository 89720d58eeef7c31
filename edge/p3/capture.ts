import { readFile } from 'node:fs/promises';

/**
 * A P3 capture as ambp3client writes it (edge/p3/fixtures/amb.out): one frame per line, as received (escaped), in
 * hex. Returns the frames' bytes, in order; blank lines are skipped, a line that is not hex is an error.
 */
export async function readP3Capture(file: string): Promise<Uint8Array[]> {
  const text = await readFile(file, 'utf8');
  const frames: Uint8Array[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const hex = line.trim();
    if (hex === '') return;
    if (!/^([0-9a-fA-F]{2})+$/.test(hex)) throw new Error(`${file}:${i + 1}: not a hex frame`);
    frames.push(Uint8Array.from(Buffer.from(hex, 'hex')));
  });
  return frames;
}
