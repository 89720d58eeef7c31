import t from 'tap';
import { riderDevice, type GpsFix } from '../../actors/contracts/gps.ts';
import type { GpsCrossing } from '../../actors/gps/rider-tracker.ts';
import { crossingInput } from './gps-ingest.ts';

const entry = { event: 'regatta', number: '7' };
const fix: GpsFix = { type: 'fix', device: riderDevice(entry), entry, atUs: 2_000_000, lat: 53.5, lon: 9.8, receivedAtUs: 2_100_000, via: 'ws' };
const crossing = (line: string, kind: GpsCrossing['kind']): GpsCrossing => ({ line, kind, atUs: 1_500_000, precisionUs: 1_000_000, direction: 1, closedAtUs: 2_000_000 });

t.test('a start-finish crossing is a passing with a reading id from the line and the closing fix', async (t) => {
  const reading = { device: fix.device, boot: 'line-sf', seq: 2_000_000 };
  t.same(crossingInput(fix, '7', crossing('sf', 'start-finish')), {
    input: { kind: 'passing', atUs: 1_500_000, car: '7', precisionUs: 1_000_000, reading },
    msgId: `in:${fix.device}:line-sf:2000000`,
  });
});

t.test('pit lines give pit stops; sector lines are kept as line crossings', async (t) => {
  t.same(crossingInput(fix, '7', crossing('pit-in', 'pit-in')).input, { kind: 'line', atUs: 1_500_000, car: '7', line: 'pit-in', loop: 'pit-in' });
  t.same(crossingInput(fix, '7', crossing('po', 'pit-out')).input, { kind: 'line', atUs: 1_500_000, car: '7', line: 'po', loop: 'pit-out' });
  t.same(crossingInput(fix, '7', crossing('s1', 'sector')), { input: { kind: 'line', atUs: 1_500_000, car: '7', line: 's1', loop: 'other' }, msgId: `in:${fix.device}:line-s1:2000000` });
});
