import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { Accounts } from '../accounts.ts';
import { abortInteraction, submitConsent } from './consent.ts';
import { consentPage, loginPage, page } from './html.ts';
import { submitLogin } from './login.ts';
import { sendHtml } from './send.ts';

const ROUTE = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|confirm|abort))?$/;

/**
 * The sign-in pages oidc-provider sends people to (`/interaction/<uid>`): the login form, then the consent form.
 * Returns false for any other path (the provider handles it).
 */
export function createInteractionRoutes(deps: { provider: () => Provider; accounts: Accounts; log: (line: string) => void }) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const match = ROUTE.exec(new URL(req.url ?? '/', 'http://x').pathname);
    if (!match) return false;
    const [, , action] = match;
    const provider = deps.provider();
    try {
      if (!action && req.method === 'GET') {
        const details = await provider.interactionDetails(req, res);
        if (details.prompt.name === 'login') sendHtml(res, 200, loginPage(details.uid));
        else {
          const missing = details.prompt.details as { missingOIDCScope?: string[]; missingResourceScopes?: Record<string, string[]> };
          const scopes = [...(missing.missingOIDCScope ?? []), ...Object.values(missing.missingResourceScopes ?? {}).flat()];
          sendHtml(res, 200, consentPage(details.uid, { client: String(details.params.client_id), scopes }));
        }
      } else if (action && req.method === 'POST') {
        if (action === 'login') await submitLogin(provider, deps.accounts, req, res);
        else if (action === 'confirm') await submitConsent(provider, req, res);
        else await abortInteraction(provider, req, res);
      } else sendHtml(res, 405, page('Not allowed', '<p>Use the sign-in form.</p>'));
    } catch (err) {
      deps.log(`identity: sign-in step failed: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) sendHtml(res, 400, page('Sign-in expired', '<p>This sign-in has expired or is not yours. Go back to the app and sign in again.</p>'));
    }
    return true;
  };
}
