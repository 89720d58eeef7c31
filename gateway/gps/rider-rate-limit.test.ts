import t from 'tap';
import type { VerifiedClaims } from '../../oidc/claims.ts';
import { REGATTA, startRiderNats } from '../testing/rider-stack.ts';
import { createRiderPositions } from './rider-positions.ts';

// A rider who floods (a bug, a stolen token) is refused with rate_limited before anything is published; other riders
// are not affected, and the rider may send again once the bucket refilled. Real NATS; the clock is a dependency.
const { nats, gpsMessages } = await startRiderNats(t);
let nowMs = Date.parse('2026-11-25T10:00:00Z');
const positions = createRiderPositions(
  { nc: await nats.connectAs('gateway'), declarations: async () => [REGATTA], now: () => nowMs },
  { rateLimit: { burst: 3, perSecond: 1 } },
);
const competitor = (number: string): VerifiedClaims => ({ sub: `rider-${number}`, org: 'club', roles: ['competitor'], entry: { event: 'regatta', number } });
let fixTime = nowMs;
const send = (number: string) => positions.accept({
  claims: competitor(number), entry: { event: 'regatta', number }, via: 'ws', position: { atMs: (fixTime += 1000), lat: 53.54, lon: 9.8 },
});

t.test('a burst is taken, the next fix is refused with when to try again, and nothing of it is published', async (t) => {
  for (let i = 0; i < 3; i++) t.match(await send('7'), { ok: true }, `fix ${i + 1} of the burst`);
  const before = await gpsMessages();
  t.same(await send('7'), { ok: false, code: 'rate_limited', message: '#7 sends positions faster than 1 a second (after a burst of 3): not stored, try again in 1 s' });
  t.equal(await gpsMessages(), before, 'nothing published for the refused fix');
});

t.test('another rider is not limited by the first one', async (t) => {
  t.match(await send('12'), { ok: true });
});

t.test('after a second the bucket gave one fix back', async (t) => {
  nowMs += 1000;
  t.match(await send('7'), { ok: true });
  t.match(await send('7'), { ok: false, code: 'rate_limited' });
});
