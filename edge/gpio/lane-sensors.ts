import type { Crossing } from './crossing.ts';
import type { CrossingStamp } from './crossing-stamp.ts';
import type { InputPin, Pins } from './pins.ts';

export interface LaneSensor {
  lane: number;
  line: number;
}

/**
 * Wiring (a): one light barrier (or reed contact) per lane on its own input line. A crossing is the line's active
 * edge (rising; `activeLow` for a barrier that pulls the line low), stamped first thing in the callback, debounced
 * per lane. Lanes are independent: crossings on different lanes in the same tick are all reported.
 */
export function watchLanes(
  pins: Pins,
  stamp: CrossingStamp,
  opts: { lanes: LaneSensor[]; activeLow?: boolean },
  onCrossing: (c: Crossing) => void,
): () => void {
  const inputs: InputPin[] = opts.lanes.map(({ lane, line }) => {
    const pin = pins.input(line, { edge: 'rising', ...(opts.activeLow === undefined ? {} : { activeLow: opts.activeLow }) });
    pin.watch(() => {
      const atUs = stamp.stamp();
      if (stamp.accept(`lane:${lane}`, atUs)) onCrossing({ atUs, lane });
    });
    return pin;
  });
  return () => inputs.forEach((p) => p.close());
}
