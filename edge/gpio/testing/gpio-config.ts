import { parseGpioConfig, type GpioConfig } from '../config.ts';

/** A four-lane slot-car track as the tests wire it: lanes 1–4 on lines 17, 27, 22, 23 (the README's diagram). */
export const LANE_LINES = [17, 27, 22, 23] as const;

export function fourLaneConfig(track: string, extra: Record<string, unknown> = {}): GpioConfig {
  return parseGpioConfig({
    track,
    device: 'gpio-1',
    debounceMs: 5,
    precisionUs: 1000,
    lanes: LANE_LINES.map((line, i) => ({ lane: i + 1, line })),
    ...extra,
  });
}
