/**
 * GPS tracking (issue 15): what a rider's phone reports, as the gateway publishes it on `gps.<track>.<device>` into
 * stream EDGE. Only the gateway publishes here, and only for a rider it authenticated (a competitor token on the
 * rider page's WebSocket, or a Traccar device key over the OsmAnd HTTP protocol): the fix names the entry the
 * credential is bound to, so the engine never guesses whose phone it is.
 */

/** The entry a rider's credential is bound to (as in the token's `entry` claim). */
export interface RiderEntry {
  event: string;
  /** The car/bib number exactly as declared ("05" is not "5"). */
  number: string;
}

/** One accepted position fix. */
export interface GpsFix {
  type: 'fix';
  /** The device slug of the subject: `riderDevice(entry)` (stable per entry, whatever the phone). */
  device: string;
  entry: RiderEntry;
  /** When the phone took the fix (its GPS time), integer µs since the Unix epoch. */
  atUs: number;
  lat: number;
  lon: number;
  /** Ground speed in m/s, when the phone reports it. */
  speedMps?: number;
  /** Horizontal accuracy (radius) in metres, when the phone reports it. */
  accuracyM?: number;
  /** When the gateway accepted it (the gateway's clock), µs. */
  receivedAtUs: number;
  /** Which rider endpoint it came through. */
  via: 'ws' | 'osmand';
}

/**
 * The device slug of an entry's phone in `gps.<track>.<device>`: the event plus the number in hex (numbers may hold
 * characters a subject cannot, and "05" must stay apart from "5"). Browser-safe: pages import it too.
 */
export const riderDevice = (entry: RiderEntry) =>
  `rider-${entry.event}-${[...new TextEncoder().encode(entry.number)].map((b) => b.toString(16).padStart(2, '0')).join('')}`;

/**
 * The JetStream message id of a fix: a phone that re-sends a fix (Traccar Client buffers and retries) writes it once
 * within the EDGE dedupe window.
 */
export const gpsFixMsgId = (fix: Pick<GpsFix, 'device' | 'atUs'>) => `gps:${fix.device}:${fix.atUs}`;
