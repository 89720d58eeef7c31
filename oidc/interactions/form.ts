import type { IncomingMessage } from 'node:http';

/** Reads an `application/x-www-form-urlencoded` body (sign-in forms are tiny: anything over 16 KiB is refused). */
export async function readForm(req: IncomingMessage, limit = 16 * 1024): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > limit) throw new Error('form body too large');
  }
  return new URLSearchParams(body);
}
