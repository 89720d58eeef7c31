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
