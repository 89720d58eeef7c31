import type { GpsFix } from '../../actors/contracts/gps.ts';
import { parseGpsSubject } from '../../actors/contracts/subjects.ts';

/**
 * A fix as read from `gps.<track>.<device>` in EDGE: the gateway checked the rider's credential and the position
 * before publishing, but EDGE is a shared stream and readers trust nothing: a message that is not a well-formed fix
 * for its subject is refused with the reason (the reader counts it and skips it; a row ClickHouse would refuse must
 * never reach the positions sink, which would retry its batch for ever).
 */
export type ReadFix = { ok: true; track: string; fix: GpsFix } | { ok: false; reason: string };

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export function readFixMessage(subject: string, data: string): ReadFix {
  const parsed = parseGpsSubject(subject);
  if (!parsed) return { ok: false, reason: `not a gps subject: ${subject}` };
  let fix: GpsFix;
  try {
    fix = JSON.parse(data) as GpsFix;
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (typeof fix !== 'object' || fix === null || fix.type !== 'fix') return { ok: false, reason: 'not a fix' };
  if (fix.device !== parsed.device) return { ok: false, reason: `device ${String(fix.device)} is not the subject's ${parsed.device}` };
  if (typeof fix.entry?.event !== 'string' || typeof fix.entry.number !== 'string') return { ok: false, reason: 'no entry {event, number}' };
  if (!Number.isSafeInteger(fix.atUs) || fix.atUs <= 0) return { ok: false, reason: 'atUs must be a positive integer (µs)' };
  if (!finite(fix.lat) || Math.abs(fix.lat) > 90 || !finite(fix.lon) || Math.abs(fix.lon) > 180) return { ok: false, reason: 'lat/lon out of range' };
  if (fix.speedMps !== undefined && !finite(fix.speedMps)) return { ok: false, reason: 'speedMps must be a number' };
  if (fix.accuracyM !== undefined && !finite(fix.accuracyM)) return { ok: false, reason: 'accuracyM must be a number' };
  if (!Number.isSafeInteger(fix.receivedAtUs) || fix.receivedAtUs <= 0) return { ok: false, reason: 'receivedAtUs must be a positive integer (µs)' };
  if (fix.via !== 'ws' && fix.via !== 'osmand') return { ok: false, reason: "via must be 'ws' or 'osmand'" };
  return { ok: true, track: parsed.track, fix };
}
