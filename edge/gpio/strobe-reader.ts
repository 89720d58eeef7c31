import type { Crossing } from './crossing.ts';
import type { CrossingStamp } from './crossing-stamp.ts';
import type { Pins } from './pins.ts';

/**
 * Wiring (b): a decoder (e.g. an IR car-id receiver) sets the car's id as a binary number on N parallel data lines,
 * then pulses a strobe line. On the strobe's rising edge the crossing is stamped, then every data line is read in
 * the same tick (least significant first) before the decoder can change them. Id 0 means "no car decoded": counted
 * and skipped. The strobe is debounced like a lane.
 */
export function watchStrobe(
  pins: Pins,
  stamp: CrossingStamp,
  opts: { strobe: number; data: number[]; activeLow?: boolean },
  onCrossing: (c: Crossing) => void,
  onError: (message: string) => void,
): () => void {
  const lineOpts = { edge: 'rising' as const, ...(opts.activeLow === undefined ? {} : { activeLow: opts.activeLow }) };
  const data = opts.data.map((line) => pins.input(line, { ...lineOpts, edge: 'none' }));
  const strobe = pins.input(opts.strobe, lineOpts);
  strobe.watch(() => {
    const atUs = stamp.stamp();
    const id = data.reduce((n, pin, bit) => n | (pin.read() << bit), 0);
    if (!stamp.accept('strobe', atUs)) return;
    if (id === 0) onError('strobe with car id 0 (no car decoded)');
    else onCrossing({ atUs, carId: String(id) });
  });
  return () => [strobe, ...data].forEach((p) => p.close());
}
