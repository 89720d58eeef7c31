import t from 'tap';
import { connectionText } from './connection-status.ts';

t.test('the connection status in words, as every live page shows it', async (t) => {
  t.equal(connectionText({ kind: 'connecting', attempt: 2 }), 'connecting…');
  t.equal(connectionText({ kind: 'open' }), 'live');
  t.equal(connectionText({ kind: 'closed', retryInMs: 1000 }), 'reconnecting…');
  t.equal(connectionText({ kind: 'resync', track: 'sebring', session: 'race-1', expected: 4, got: 6 }), 'catching up…');
  t.equal(connectionText({ kind: 'error', code: 'forbidden', message: 'race-1 is private' }), 'race-1 is private');
});
