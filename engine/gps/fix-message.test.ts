import t from 'tap';
import { riderDevice, type GpsFix } from '../../actors/contracts/gps.ts';
import { readFixMessage } from './fix-message.ts';

const entry = { event: 'regatta', number: '7' };
const device = riderDevice(entry);
const subject = `gps.elbe.${device}`;
const fix: GpsFix = { type: 'fix', device, entry, atUs: 1_700_000_000_000_000, lat: 53.54, lon: 9.8, speedMps: 3.2, accuracyM: 5, receivedAtUs: 1_700_000_000_500_000, via: 'osmand' };
const reason = (s: string, data: unknown) => {
  const read = readFixMessage(s, typeof data === 'string' ? data : JSON.stringify(data));
  return read.ok ? 'ok' : read.reason;
};

t.test('a well-formed fix is read with its track', async (t) => {
  t.same(readFixMessage(subject, JSON.stringify(fix)), { ok: true, track: 'elbe', fix });
});

t.test('every malformed fix is refused with its reason', async (t) => {
  t.equal(reason('edge.elbe.x.passing', fix), 'not a gps subject: edge.elbe.x.passing');
  t.equal(reason(subject, '{"type":'), 'not JSON');
  t.equal(reason(subject, [1, 2]), 'not a fix');
  t.equal(reason(subject, { ...fix, type: 'passing' }), 'not a fix');
  t.equal(reason(`gps.elbe.rider-other`, fix), `device ${device} is not the subject's rider-other`);
  t.equal(reason(subject, { ...fix, entry: { event: 'regatta' } }), 'no entry {event, number}');
  t.equal(reason(subject, { ...fix, atUs: 1.5 }), 'atUs must be a positive integer (µs)');
  t.equal(reason(subject, { ...fix, atUs: '1700000000000000' }), 'atUs must be a positive integer (µs)');
  t.equal(reason(subject, { ...fix, lat: 91 }), 'lat/lon out of range');
  t.equal(reason(subject, { ...fix, lon: 'east' }), 'lat/lon out of range');
  t.equal(reason(subject, { ...fix, speedMps: 'fast' }), 'speedMps must be a number');
  t.equal(reason(subject, { ...fix, accuracyM: null }), 'accuracyM must be a number');
  t.equal(reason(subject, { ...fix, receivedAtUs: undefined }), 'receivedAtUs must be a positive integer (µs)');
  t.equal(reason(subject, { ...fix, via: 'sms' }), "via must be 'ws' or 'osmand'");
});
