import type { EdgeAgentHealth } from './edge-health.ts';
import type { ReadingId } from './events.ts';

/**
 * `edge.<track>.<device>.raw`: a decoder's own records, kept for audit beside the passings made from them (DESIGN
 * §4): a P3 frame (decoded, or the reason it was rejected) or an RFID read. The engine does not score from these.
 */
export type EdgeRawMessage = ReadingId & { type: 'raw'; receivedAtUs: number } & (
    | { source: 'p3'; /** The frame as received (escaped), hex. */ hex: string; record?: P3Record; error?: { kind: P3ErrorKind; message: string } }
    | { source: 'rfid'; read: RfidRead }
  );

/** P3 record types (TOR) the agent understands; others are kept as `other` with their fields. */
export type P3RecordType = 'passing' | 'status' | 'other';

/** A P3 frame's fields by their type-of-field number (TOF), as unsigned little-endian integers or hex when over 6 bytes. */
export type P3Fields = Record<number, number | string>;

export type P3Record =
  | { type: 'passing'; tor: 1; passingNumber: number; transponder: string; rtcTimeUs: number; strength?: number; hits?: number; flags?: number; decoderId?: string; fields: P3Fields }
  | { type: 'status'; tor: 2; noise?: number; gps?: number; temperature?: number; satInUse?: number; decoderId?: string; fields: P3Fields }
  | { type: 'other'; tor: number; fields: P3Fields };

/** Why a P3 frame was rejected: framing (no SOR, over-long, a bad escape), its length field, CRC, or its fields. */
export type P3ErrorKind = 'framing' | 'too-long' | 'bad-escape' | 'length' | 'crc' | 'fields';

/** One RFID read: tag id (EPC, hex), when the reader saw it (µs) and how strongly (dBm). */
export interface RfidRead {
  chip: string;
  atUs: number;
  rssi: number;
  antenna?: number;
}

/** Health of `pitwall edge p3`: the decoder connection and what it read. */
export interface P3AgentHealth extends EdgeAgentHealth {
  agent: 'p3';
  feed: string;
  connected: boolean;
  reconnects: number;
  frames: number;
  passings: number;
  statuses: number;
  /** PASSINGs sent again by the decoder (number and time not above the last one taken), not published twice. */
  duplicates: number;
  errors: Partial<Record<P3ErrorKind, number>>;
  /** The decoder's own clock (RTC_TIME of its last passing) minus the agent's clock, µs: drift shows here. */
  decoderOffsetUs?: number;
}

/** Health of `pitwall edge rfid`: the reader connection (a live stream) and what it read. */
export interface RfidAgentHealth extends EdgeAgentHealth {
  agent: 'rfid';
  feed?: string;
  connected?: boolean;
  reads: number;
  passings: number;
  /** Clusters dropped as too soon after the chip's previous passing. */
  tooSoon: number;
  /** CrossMgr's own estimate lines met in a log (read-log.ts): not reads, skipped. */
  estimatesSkipped: number;
  badLines: number;
}
