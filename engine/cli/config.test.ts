import t from 'tap';
import { readCliConfig } from './config.ts';

t.test('the slow-spectator limits come from the environment, unset means the gateway defaults', async (t) => {
  t.same(readCliConfig({}).spectators, { maxBackpressure: undefined, slowSpectatorTimeoutMs: undefined });
  const config = readCliConfig({ PITWALL_SPECTATOR_MAX_BACKPRESSURE: '65536', PITWALL_SLOW_SPECTATOR_TIMEOUT_MS: '10000' });
  t.same(config.spectators, { maxBackpressure: 65536, slowSpectatorTimeoutMs: 10000 });
});

t.test('a limit that is not a positive integer is refused, naming the variable', async (t) => {
  for (const value of ['0', '-1', '1.5', '256k', 'abc']) {
    t.throws(() => readCliConfig({ PITWALL_SPECTATOR_MAX_BACKPRESSURE: value }),
      { message: `PITWALL_SPECTATOR_MAX_BACKPRESSURE must be a positive integer, got '${value}'` }, value);
  }
  t.throws(() => readCliConfig({ PITWALL_SLOW_SPECTATOR_TIMEOUT_MS: 'soon' }), { message: /PITWALL_SLOW_SPECTATOR_TIMEOUT_MS/ });
});

t.test('the session lease TTL comes from PITWALL_LEASE_TTL_MS, unset means the engine default', async (t) => {
  t.equal(readCliConfig({}).leaseTtlMs, undefined);
  t.equal(readCliConfig({ PITWALL_LEASE_TTL_MS: '10000' }).leaseTtlMs, 10000);
  t.throws(() => readCliConfig({ PITWALL_LEASE_TTL_MS: '3s' }), { message: "PITWALL_LEASE_TTL_MS must be a positive integer, got '3s'" });
});
