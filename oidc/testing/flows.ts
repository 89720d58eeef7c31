import { randomBytes } from 'node:crypto';
import { GATEWAY_AUDIENCE, GATEWAY_SCOPE } from '../claims.ts';
import { WEB_CLIENT_ID } from '../clients.ts';
import { createBrowser, formBody, pkcePair } from './http-client.ts';

export const REDIRECT_URI = 'http://127.0.0.1:9/callback';

type Browser = ReturnType<typeof createBrowser>;

export interface CodeFlowResult {
  accessToken: string;
  idToken?: string;
  refreshToken?: string;
  /** The pages seen on the way, by kind ('login', 'consent'). */
  pages: string[];
}

/**
 * The authorization code flow with PKCE as the gateway's pages run it, over real HTTP: /auth, the login form, the
 * consent form (each only if shown), the code at the redirect URI, the token request.
 */
export async function codeFlow(issuer: string, browser: Browser, login: { username: string; password: string }): Promise<CodeFlowResult> {
  const { verifier, challenge } = pkcePair();
  const state = randomBytes(8).toString('hex');
  const auth = new URL(`${issuer}/auth`);
  auth.search = new URLSearchParams({
    client_id: WEB_CLIENT_ID,
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    scope: `openid ${GATEWAY_SCOPE}`,
    resource: GATEWAY_AUDIENCE,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state,
  }).toString();
  const pages: string[] = [];
  let step = await browser.follow(auth.toString(), issuer);
  for (let i = 0; i < 4 && !step.url.startsWith(REDIRECT_URI); i++) {
    const html = await step.res.text();
    if (step.res.status !== 200) throw new Error(`sign-in page ${step.url} answered ${step.res.status}: ${html}`);
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    if (!action) throw new Error(`no form on ${step.url}: ${html}`);
    const target = new URL(action, issuer).toString();
    if (action.endsWith('/login')) {
      pages.push('login');
      step = await browser.follow(target, issuer, formBody(login));
    } else {
      pages.push('consent');
      step = await browser.follow(target, issuer, formBody({}));
    }
  }
  const callback = new URL(step.url);
  if (callback.searchParams.get('state') !== state) throw new Error(`state mismatch at ${step.url}`);
  const code = callback.searchParams.get('code');
  if (!code) throw new Error(`no code at ${step.url}`);
  const res = await fetch(`${issuer}/token`, formBody({
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT_URI,
    client_id: WEB_CLIENT_ID,
    code_verifier: verifier,
    resource: GATEWAY_AUDIENCE,
  }));
  const body = (await res.json()) as { access_token?: string; id_token?: string; refresh_token?: string; error?: string; error_description?: string };
  if (!body.access_token) throw new Error(`token endpoint: ${res.status} ${body.error}: ${body.error_description}`);
  return { accessToken: body.access_token, idToken: body.id_token, refreshToken: body.refresh_token, pages };
}

export { requestClientToken as clientCredentials } from '../client-token.ts';
