import { createHash, randomBytes } from 'node:crypto';

/** A browser stand-in for tests: fetch with a cookie jar and manual redirects, so each step can be looked at. */
export function createBrowser() {
  const jar = new Map<string, string>();
  const remember = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1);
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') jar.delete(name);
      else jar.set(name, value);
    }
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  async function request(url: string, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: cookie() } });
    remember(res);
    return res;
  }
  return {
    request,
    /** Follows redirects until one leaves `origin` (the client's redirect URI) or a page is shown. */
    async follow(url: string, origin: string, init?: RequestInit): Promise<{ url: string; res: Response }> {
      let res = await request(url, init);
      let at = url;
      while (res.status >= 300 && res.status < 400) {
        at = new URL(res.headers.get('location')!, at).toString();
        if (!at.startsWith(origin)) return { url: at, res };
        res = await request(at);
      }
      return { url: at, res };
    },
    cookies: () => new Map(jar),
  };
}

export function pkcePair() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export const formBody = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});
