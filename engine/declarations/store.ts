import type { KV } from '@nats-io/kv';
import type { EventDeclaration } from '../../actors/contracts/declaration.ts';
import { validateDeclaration } from './validate.ts';

/** Declarations live in KV `events` under `<track>.<event>`. */
export const declarationKey = (track: string, event: string) => `${track}.${event}`;

export async function putDeclaration(kv: KV, declaration: EventDeclaration): Promise<number> {
  return kv.put(declarationKey(declaration.track, declaration.event), JSON.stringify(declaration));
}

export async function getDeclaration(kv: KV, track: string, event: string): Promise<EventDeclaration | undefined> {
  const entry = await kv.get(declarationKey(track, event));
  if (!entry || entry.operation !== 'PUT') return undefined;
  return validateDeclaration(entry.json(), `KV events/${entry.key}`);
}

/**
 * The declared event at `track` that has session `session` (session ids are unique within a track across events,
 * DESIGN §1), or undefined. Reads every declaration of the track: for race control's rare `open`, not per reading.
 */
export async function findSessionDeclaration(kv: KV, track: string, session: string): Promise<EventDeclaration | undefined> {
  const keys = await kv.keys(`${track}.*`);
  for await (const key of keys) {
    const declaration = await getDeclaration(kv, track, key.slice(track.length + 1));
    if (declaration?.sessions.some((s) => s.id === session)) return declaration;
  }
  return undefined;
}
