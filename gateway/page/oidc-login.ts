/**
 * Officials' login from a browser page: the authorization code flow with PKCE against Pitwall's identity provider
 * (public client `pitwall-web`, DESIGN §3), the same flow oidc/testing/flows.ts runs over HTTP. The access token is
 * kept in sessionStorage (this tab only, gone when it closes); it never goes into a URL.
 */
export interface LoginConfig {
  issuer: string;
  clientId: string;
  /** Where the identity provider sends the browser back (registered with it): this page's address without a query. */
  redirectUri: string;
  /** Resource indicator (audience) and scope of gateway tokens. */
  resource: string;
  scope: string;
}

export interface Login {
  accessToken: string;
  /** ms since the epoch. */
  expiresAt: number;
}

const KEY = 'pitwall.login';
const PENDING = 'pitwall.login.pending';

const base64url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const random = (n: number) => base64url(crypto.getRandomValues(new Uint8Array(n)));

/** The stored login, if it has not expired. */
export function currentLogin(): Login | undefined {
  const stored = sessionStorage.getItem(KEY);
  if (!stored) return undefined;
  const login = JSON.parse(stored) as Login;
  return login.expiresAt > Date.now() + 5000 ? login : undefined;
}

export function logout(): void {
  sessionStorage.removeItem(KEY);
}

/** Sends the browser to the identity provider's login; `returnQuery` is restored when it comes back. */
export async function startLogin(config: LoginConfig, returnQuery: string): Promise<never> {
  const verifier = random(32);
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  const state = random(16);
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, returnQuery }));
  const url = new URL(`${config.issuer.replace(/\/$/, '')}/auth`);
  url.search = new URLSearchParams({
    client_id: config.clientId, response_type: 'code', redirect_uri: config.redirectUri, scope: config.scope,
    resource: config.resource, code_challenge: challenge, code_challenge_method: 'S256', state,
  }).toString();
  location.assign(url.toString());
  return new Promise<never>(() => undefined);
}

/**
 * On the way back from the identity provider (`?code=…&state=…`): exchanges the code for an access token, stores it,
 * and returns the query the page had before the login. Undefined when this is not a login's return.
 */
export async function finishLogin(config: LoginConfig): Promise<{ login: Login; returnQuery: string } | undefined> {
  const query = new URLSearchParams(location.search);
  const code = query.get('code');
  const pending = sessionStorage.getItem(PENDING);
  if (query.get('error')) throw new Error(`login refused: ${query.get('error')} ${query.get('error_description') ?? ''}`);
  if (!code || !pending) return undefined;
  sessionStorage.removeItem(PENDING);
  const { verifier, state, returnQuery } = JSON.parse(pending) as { verifier: string; state: string; returnQuery: string };
  if (query.get('state') !== state) throw new Error('login: the state does not match (an old or forged redirect): log in again');
  const res = await fetch(`${config.issuer.replace(/\/$/, '')}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code', code, redirect_uri: config.redirectUri, client_id: config.clientId,
      code_verifier: verifier, resource: config.resource,
    }),
  });
  const body = (await res.json()) as { access_token?: string; expires_in?: number; error?: string; error_description?: string };
  if (!body.access_token) throw new Error(`login: the token endpoint answered ${res.status} ${body.error ?? ''} ${body.error_description ?? ''}`);
  const login: Login = { accessToken: body.access_token, expiresAt: Date.now() + (body.expires_in ?? 600) * 1000 };
  sessionStorage.setItem(KEY, JSON.stringify(login));
  return { login, returnQuery };
}
