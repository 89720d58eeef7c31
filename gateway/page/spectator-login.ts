import { finishLogin, startLogin, type LoginConfig } from './oidc-login.ts';

/**
 * Spectators' login for private events (issue 10: a private event is seen by its organisation's logins). The
 * identity provider sends every spectator login back to `/events` (one registered redirect address), which finishes
 * it and returns to the page the login started from.
 */
export const SPECTATOR_LOGIN_PATH = '/events';

/** The gateway's login settings; undefined when it has no identity provider (then private events cannot be seen). */
export async function spectatorLoginConfig(): Promise<LoginConfig | undefined> {
  const res = await fetch('/login/config.json');
  if (!res.ok) return undefined;
  const body = (await res.json()) as { issuer?: string; clientId: string; resource: string; scope: string };
  return body.issuer ? { ...body, issuer: body.issuer, redirectUri: `${location.origin}${SPECTATOR_LOGIN_PATH}` } : undefined;
}

/** Sends the browser to the login; it comes back to `returnPath` (a path on this gateway, with its query). */
export async function startSpectatorLogin(returnPath: string): Promise<void> {
  const config = await spectatorLoginConfig();
  if (!config) throw new Error('this gateway has no login: private events cannot be followed here');
  await startLogin(config, returnPath);
}

/** On `/events`: finishes a login coming back, and answers where to go next (a path on this gateway), if anywhere. */
export async function finishSpectatorLogin(config: LoginConfig): Promise<string | undefined> {
  const back = await finishLogin(config);
  if (!back) return undefined;
  const path = back.returnQuery;
  return path.startsWith('/') && !path.startsWith('//') ? path : SPECTATOR_LOGIN_PATH; // never off this site
}
