import { encode } from '@msgpack/msgpack';
import type { ViewDiff } from '../../actors/contracts/view.ts';
import { benchUs } from './clock.ts';

/** The session every system serves. */
export const TRACK = 'bench';
export const SESSION = 'race-1';
/** uWS topic, MQTT topic, Socket.IO event: one name per system, all for this session. */
export const TOPIC = `pitwall/${TRACK}/${SESSION}`;

/**
 * The transport-capacity payload: a small diff (the new session clock = its send time, and one car's lap times),
 * the size of a real one-car diff. Pitwall's gateway builds this frame itself from `{seq, diff}`; the peers send the
 * very same MessagePack bytes, so every system moves identical frames (~110 B).
 */
export function transportDiff(): ViewDiff {
  return { header: { clockUs: benchUs() }, rows: { '17': { set: { lastLapUs: 91_234_567, bestLapUs: 90_876_543, raceUs: 1_234_567_890 } } } };
}

/** The frame as Pitwall's gateway encodes it (gateway/spectator-hub.ts `{type:'diff', ...ref, seq, diff}`). */
export function diffFrame(seq: number, diff: ViewDiff): Uint8Array {
  return encode({ type: 'diff', track: TRACK, session: SESSION, seq, diff });
}
