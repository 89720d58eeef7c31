import { riderDevice, type GpsFix } from '../../actors/contracts/gps.ts';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const SLUG = /^[a-z0-9-]+$/;
const optionalMetres = (v: unknown) => v === undefined || (typeof v === 'number' && Number.isFinite(v) && v >= 0);

/**
 * A fix as a gateway published it on `gps.<track>.<device>` (JSON, actors/contracts/gps.ts), checked: the fields the
 * map uses, coordinates on the globe, and the subject's device is the entry's (`riderDevice`). A string says what is
 * wrong. Never throws.
 */
export function decodeGpsFix(text: string, device: string): GpsFix | string {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    return 'fix is not JSON';
  }
  if (!isRecord(m) || m.type !== 'fix') return 'fix needs type "fix"';
  const { entry, atUs, lat, lon, speedMps, accuracyM } = m;
  if (!isRecord(entry) || typeof entry.event !== 'string' || !SLUG.test(entry.event) || typeof entry.number !== 'string' || entry.number === '') {
    return 'fix needs entry {event, number}';
  }
  if (typeof atUs !== 'number' || !Number.isSafeInteger(atUs) || atUs <= 0) return 'fix needs atUs, integer µs';
  if (typeof lat !== 'number' || !(Math.abs(lat) <= 90) || typeof lon !== 'number' || !(Math.abs(lon) <= 180)) {
    return 'fix needs lat in [-90, 90] and lon in [-180, 180]';
  }
  if (!optionalMetres(speedMps) || !optionalMetres(accuracyM)) return 'fix: speedMps and accuracyM are numbers ≥ 0 when present';
  const expected = riderDevice({ event: entry.event, number: entry.number });
  if (m.device !== device || device !== expected) return `fix of ${entry.event} #${entry.number} on device ${device}, expected ${expected}`;
  return m as unknown as GpsFix;
}
