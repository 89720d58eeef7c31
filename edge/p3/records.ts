import type { P3ErrorKind, P3Fields, P3Record } from '../../actors/contracts/raw.ts';
import { p3Crc } from './crc.ts';
import { EOR, SOR } from './framer.ts';

/**
 * A P3 frame (unescaped, SOR to EOR) → its record. Layout, little-endian:
 *   0 SOR · 1 version · 2–3 length (of the unescaped frame) · 4–5 CRC (crc.ts) · 6–7 flags · 8–9 TOR (type of record)
 *   · fields: TOF (1 byte), length (1 byte), value … · EOR.
 * PASSING (TOR 1): 0x01 passing number, 0x03 transponder, 0x04 RTC_TIME (µs since 1970 on the decoder's clock),
 * 0x05 signal strength, 0x06 hits, 0x08 flags. STATUS (TOR 2): 0x01 noise, 0x06 GPS satellites in use, 0x07 GPS,
 * 0x0C temperature. 0x81 (any record) decoder id. Unknown fields are kept in `fields`.
 */
export class P3FrameError extends Error {
  constructor(
    readonly kind: P3ErrorKind,
    /** The reason without the kind. */
    readonly detail: string,
  ) {
    super(`${kind}: ${detail}`);
  }
}

const TOR_PASSING = 1;
const TOR_STATUS = 2;
const HEADER = 10;

export function decodeP3Frame(frame: Uint8Array): P3Record | P3FrameError {
  if (frame.length < HEADER + 1 || frame[0] !== SOR || frame[frame.length - 1] !== EOR) {
    return new P3FrameError('length', `frame of ${frame.length} bytes is shorter than a P3 header`);
  }
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const length = view.getUint16(2, true);
  if (length !== frame.length) return new P3FrameError('length', `length field says ${length} bytes, the frame has ${frame.length}`);
  const stored = view.getUint16(4, true);
  const computed = p3Crc(frame);
  if (stored !== computed) {
    return new P3FrameError('crc', `CRC 0x${hex16(stored)} in the frame, 0x${hex16(computed)} computed`);
  }
  const tor = view.getUint16(8, true);
  const fields: P3Fields = {};
  let decoderId: string | undefined;
  let i = HEADER;
  while (i < frame.length - 1) {
    const tof = frame[i]!;
    const size = frame[i + 1];
    if (size === undefined || i + 2 + size > frame.length - 1) {
      return new P3FrameError('fields', `field 0x${tof.toString(16)} at byte ${i} runs past the end of the frame`);
    }
    const value = frame.subarray(i + 2, i + 2 + size);
    fields[tof] = size <= 6 ? littleEndian(value) : hexOf(value);
    if (tof === 0x04 && size === 8) fields[tof] = Number(view.getBigUint64(i + 2, true)); // µs since 1970: exact below 2^53
    if (tof === 0x81) decoderId = hexOf(value); // as decoders print it: the bytes in wire order
    i += 2 + size;
  }
  const num = (tof: number) => (typeof fields[tof] === 'number' ? (fields[tof] as number) : undefined);
  const opt = <K extends string>(k: K, v: number | string | undefined) => (v === undefined ? {} : ({ [k]: v } as Record<K, typeof v>));

  if (tor === TOR_PASSING) {
    const passingNumber = num(0x01);
    const transponder = num(0x03);
    const rtcTimeUs = num(0x04);
    if (passingNumber === undefined || transponder === undefined || rtcTimeUs === undefined) {
      return new P3FrameError('fields', 'PASSING without passing number (0x01), transponder (0x03) or RTC_TIME (0x04)');
    }
    return {
      type: 'passing', tor: 1, passingNumber, transponder: String(transponder), rtcTimeUs,
      ...opt('strength', num(0x05)), ...opt('hits', num(0x06)), ...opt('flags', num(0x08)), ...opt('decoderId', decoderId), fields,
    };
  }
  if (tor === TOR_STATUS) {
    return {
      type: 'status', tor: 2,
      ...opt('noise', num(0x01)), ...opt('gps', num(0x07)), ...opt('temperature', num(0x0c)), ...opt('satInUse', num(0x06)), ...opt('decoderId', decoderId), fields,
    };
  }
  return { type: 'other', tor, fields };
}

function littleEndian(bytes: Uint8Array): number {
  let v = 0;
  for (let i = bytes.length - 1; i >= 0; i--) v = v * 256 + bytes[i]!;
  return v;
}

export const hexOf = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const hex16 = (n: number) => n.toString(16).padStart(4, '0');
