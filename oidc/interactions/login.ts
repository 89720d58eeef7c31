import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { Accounts } from '../accounts.ts';
import { readForm } from './form.ts';
import { loginPage } from './html.ts';
import { sendHtml } from './send.ts';

/** POST /interaction/:uid/login: checks the password; a wrong one shows the form again with one message for all cases. */
export async function submitLogin(provider: Provider, accounts: Accounts, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name !== 'login') return sendHtml(res, 400, loginPage(details.uid, { error: 'This sign-in step is over; start again.' }));
  const form = await readForm(req);
  const username = form.get('username') ?? '';
  const account = await accounts.authenticate(username, form.get('password') ?? '');
  if (!account) return sendHtml(res, 401, loginPage(details.uid, { error: 'Wrong username or password.', username }));
  await provider.interactionFinished(req, res, { login: { accountId: account.id } }, { mergeWithLastSubmission: false });
}
