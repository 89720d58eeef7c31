import { Kvm } from '@nats-io/kv';
import type { EventDeclaration } from '../../../actors/contracts/declaration.ts';
import type { RiderEntry } from '../../../actors/contracts/gps.ts';
import { putDeclaration } from '../../../engine/declarations/store.ts';
import { registerServiceClient } from '../../../oidc/clients.ts';
import { requestClientToken } from '../../../oidc/client-token.ts';
import { issueRiderCredentials, riderClientId } from '../../../oidc/riders.ts';
import { createIdentityStore } from '../../../oidc/store.ts';
import type { GpsStack } from './gps-stack.ts';

/**
 * The organisation and races of the scenario: `races` GPS races, each at a track of its own (a new session at a
 * track ends ingest's assignment to the earlier ones there: engine/ingest.ts), `riders` declared entries each.
 */
export const ORG = 'bench';
export const raceRef = (i: number) => ({ track: `lake-${i + 1}`, event: `regatta-${i + 1}`, session: `regatta-${i + 1}-race` });

export function declarations(races: number, riders: number): EventDeclaration[] {
  return Array.from({ length: races }, (_, i) => {
    const { track, event, session } = raceRef(i);
    return {
      track, event, name: `Bench regatta ${i + 1}`, org: ORG,
      classes: [{ id: 'boats', name: 'Boats' }],
      sessions: [{ id: session, name: 'Race', type: 'race', finish: { laps: 1000 } }],
      entries: Array.from({ length: riders }, (_, n) => ({ number: String(n + 1), name: `Rider ${n + 1}`, class: 'boats' })),
    };
  });
}

/** Runs `fn` over `items` with at most `width` at once (the identity provider and KV take a few requests at a time well). */
export async function pooled<T, R>(items: readonly T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  }));
  return out;
}

/** An access token from the real identity provider (client-credentials grant), for a client registered in KV `identity`. */
async function token(stack: GpsStack, input: Parameters<typeof registerServiceClient>[1]): Promise<string> {
  const store = createIdentityStore(await new Kvm(await stack.connectAs('identity')).open('identity'));
  return requestClientToken(stack.issuer, await registerServiceClient(store, input));
}

/**
 * Declares the races (KV `events`, as `pitwall event apply` does), then opens and starts each session as race
 * control does for a GPS race without a timing device (docs/gps.md): POST …/commands/open and …/start on the gateway,
 * with a race-control token. Resolves once the gateway lists every session live (its live map takes fixes only then),
 * with how long each `open` took to be answered (ms, in the order opened): the engine answers once the session's host
 * claimed it, which takes longer with every session it already hosts (engine/ownership/session-claims.ts).
 */
export async function openRaces(stack: GpsStack, races: number, riders: number): Promise<number[]> {
  const events = await new Kvm(await stack.connectAs('admin')).open('events');
  for (const d of declarations(races, riders)) await putDeclaration(events, d);
  const director = await token(stack, { clientId: 'bench-race-control', org: ORG, roles: ['race-control'] });
  const opens: number[] = [];
  for (let i = 0; i < races; i++) {
    for (const verb of ['open', 'start']) {
      const t0 = performance.now();
      const res = await fetch(`${stack.gatewayUrl}/api/sessions/${raceRef(i).track}/${raceRef(i).session}/commands/${verb}`,
        { method: 'POST', headers: { authorization: `Bearer ${director}`, 'content-type': 'application/json' }, body: '{}' });
      const body = (await res.json()) as { outcome?: string };
      if (res.status !== 200 || body.outcome !== 'accepted') throw new Error(`${verb} ${raceRef(i).session}: ${res.status} ${JSON.stringify(body)}`);
      if (verb === 'open') opens.push(performance.now() - t0);
    }
  }
  const deadline = Date.now() + 15_000;
  for (;;) {
    const { sessions = [] } = (await (await fetch(`${stack.gatewayUrl}/api/sessions`)).json()) as { sessions?: { session: string; state: string }[] };
    if (Array.from({ length: races }, (_, i) => raceRef(i).session).every((s) => sessions.some((l) => l.session === s))) return opens;
    if (Date.now() > deadline) throw new Error(`the gateway lists ${sessions.length} of ${races} sessions live after 15 s`);
    await new Promise((r) => setTimeout(r, 500)); // gently: the REST rate limit refuses a tight loop
  }
}

/** One rider as the load process needs it: its entry, and its credential for the endpoint it uses. */
export type RiderCredential = { entry: RiderEntry } & ({ via: 'ws'; token: string } | { via: 'osmand'; deviceKey: string });

/**
 * Credentials as `pitwall rider token` issues them (engine/cli/commands/rider.ts): for a WebSocket rider a competitor
 * token from the identity provider (the entry's rider client, registered in KV `identity`), for an OsmAnd rider a
 * Traccar device key (issueRiderCredentials, which records it in KV `identity` `traccar.*`). Every other rider of
 * a race uses OsmAnd, so both endpoints carry half the riders of every race.
 */
export async function issueCredentials(stack: GpsStack, races: number, riders: number): Promise<RiderCredential[]> {
  const store = createIdentityStore(await new Kvm(await stack.connectAs('identity')).open('identity'));
  const entries = Array.from({ length: races * riders }, (_, k) => ({ event: raceRef(Math.floor(k / riders)).event, number: String((k % riders) + 1) }));
  return pooled(entries, 16, async (entry): Promise<RiderCredential> => {
    if (Number(entry.number) % 2 === 1) {
      const client = await registerServiceClient(store, { clientId: riderClientId(entry), org: ORG, roles: ['competitor'], entry });
      return { entry, via: 'ws', token: await requestClientToken(stack.issuer, client) };
    }
    const { traccarDeviceKey } = await issueRiderCredentials(store, { org: ORG, entry });
    return { entry, via: 'osmand', deviceKey: traccarDeviceKey };
  });
}
