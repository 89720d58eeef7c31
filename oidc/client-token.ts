import { GATEWAY_AUDIENCE, GATEWAY_SCOPE } from './claims.ts';

/** The client-credentials grant, as an edge agent or a service asks for a token. */
export async function requestClientToken(issuer: string, client: { clientId: string; clientSecret: string }): Promise<string> {
  const res = await fetch(`${issuer}/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: GATEWAY_SCOPE, resource: GATEWAY_AUDIENCE }).toString(),
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString('base64')}`,
    },
  });
  const body = (await res.json()) as { access_token?: string; error?: string; error_description?: string };
  if (!body.access_token) throw new Error(`token endpoint: ${res.status} ${body.error}: ${body.error_description}`);
  return body.access_token;
}
