import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { gpsFixMsgId, riderDevice, type GpsFix, type RiderEntry } from '../../actors/contracts/gps.ts';
import { subjects } from '../../actors/contracts/subjects.ts';

/**
 * Publishes accepted fixes as a gateway's rider endpoints do (actors/contracts/gps.ts): JSON on
 * `gps.<track>.<device>` into stream EDGE, with the fix's message id. Use the `gateway` NATS user.
 */
export function createFixPublisher(nc: NatsConnection, track: string) {
  const js = jetstream(nc);
  return async (entry: RiderEntry, at: { atUs: number; lat: number; lon: number; speedMps?: number; accuracyM?: number }): Promise<GpsFix> => {
    const fix: GpsFix = { type: 'fix', device: riderDevice(entry), entry, ...at, receivedAtUs: Date.now() * 1000, via: 'ws' };
    await js.publish(subjects.gps(track, fix.device), JSON.stringify(fix), { msgID: gpsFixMsgId(fix) });
    return fix;
  };
}
