import type { Adapter, AdapterPayload } from 'oidc-provider';
import { keyToken, type IdentityStore } from './store.ts';

/** Where the adapter keeps one oidc-provider model instance (Session, Grant, AccessToken, Client, …). */
export const modelKey = (model: string, id: string) => `oidc.${model}.${keyToken(id)}`;
const uidKey = (uid: string) => `oidc.by-uid.${keyToken(uid)}`;
const userCodeKey = (code: string) => `oidc.by-user-code.${keyToken(code)}`;
const grantKey = (grantId: string) => `oidc.by-grant.${keyToken(grantId)}`;

/** Models that belong to a grant and go when it is revoked (as in oidc-provider's memory adapter). */
const GRANTABLE = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest', 'ClientCredentials']);

interface GrantMembers {
  keys: string[];
}

/**
 * An oidc-provider Adapter backed by KV `identity`: grants, sessions, tokens, interactions and stored clients survive a
 * restart. Each entry carries its own expiry (`expiresIn` from the provider); expired entries read as absent.
 */
export function createKvAdapterFactory(store: IdentityStore, deps: { now: () => number }): (model: string) => Adapter {
  return (model) => {
    const expiry = (expiresIn?: number) => (expiresIn === undefined ? undefined : deps.now() + expiresIn * 1000);
    const find = (id: string) => store.get<AdapterPayload>(modelKey(model, id));
    return {
      async upsert(id, payload, expiresIn) {
        const key = modelKey(model, id);
        const expiresAt = expiry(expiresIn);
        await store.put(key, payload, { expiresAt });
        if (payload.uid) await store.put(uidKey(payload.uid), id, { expiresAt });
        if (payload.userCode) await store.put(userCodeKey(payload.userCode), id, { expiresAt });
        if (GRANTABLE.has(model) && payload.grantId) {
          // Tokens of one grant are often issued at once (code exchange: access and refresh token): no lost member.
          await store.update<GrantMembers>(grantKey(payload.grantId), (members = { keys: [] }) =>
            members.keys.includes(key) ? members : { keys: [...members.keys, key] });
        }
      },
      find,
      async findByUid(uid) {
        const id = await store.get<string>(uidKey(uid));
        return id === undefined ? undefined : find(id);
      },
      async findByUserCode(userCode) {
        const id = await store.get<string>(userCodeKey(userCode));
        return id === undefined ? undefined : find(id);
      },
      async consume(id) {
        const key = modelKey(model, id);
        const payload = await store.get<AdapterPayload>(key);
        if (!payload) return;
        const exp = typeof payload.exp === 'number' ? payload.exp * 1000 : undefined;
        await store.put(key, { ...payload, consumed: Math.floor(deps.now() / 1000) }, { expiresAt: exp });
      },
      async destroy(id) {
        await store.delete(modelKey(model, id));
      },
      async revokeByGrantId(grantId) {
        const members = await store.get<GrantMembers>(grantKey(grantId));
        await Promise.all((members?.keys ?? []).map((key) => store.delete(key)));
        await store.delete(grantKey(grantId));
      },
    };
  };
}
