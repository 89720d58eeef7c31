import { encode } from '@msgpack/msgpack';
import type { HttpRequest, HttpResponse, TemplatedApp } from 'uWebSockets.js';
import type { RateLimiter } from './rate-limit.ts';

/** What a REST handler sees of a request: read synchronously from uWS's request, which is gone after the callback. */
export interface ApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  params: string[];
  remote: string;
  /** The `Authorization` header ('' without one). */
  authorization: string;
  /** The request body (POST routes; '' otherwise). */
  body: string;
}

export interface ApiResult {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** A body that is not JSON (a CSV download): sent as is with this content type, whatever `Accept` asks. */
  text?: { contentType: string; content: string };
}

export type ApiHandler = (req: ApiRequest) => ApiResult | Promise<ApiResult>;

const STATUS_TEXT: Record<number, string> = {
  200: 'OK', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 406: 'Not Acceptable',
  409: 'Conflict', 413: 'Payload Too Large', 422: 'Unprocessable Entity', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export const MSGPACK = 'application/msgpack';

/** The body of every error: a code for programs and a message for people. */
export const apiError = (status: number, code: string, message: string, headers?: Record<string, string>): ApiResult =>
  ({ status, body: { error: { code, message } }, headers });

const wantsMsgpack = (accept: string) => /application\/(x-)?msgpack/.test(accept);

export interface ApiRouterOptions {
  /** Larger request bodies are refused with 413 before any handler runs. */
  maxBodyBytes: number;
}

/**
 * Wraps REST handlers for uWS: per-client rate limit (429 with Retry-After), request size limit (413), JSON or
 * MessagePack by `Accept`, `onAborted` on every request and corked writes.
 */
export function createApiRouter(deps: { app: TemplatedApp; limiter: RateLimiter; log: (line: string) => void }, opts: ApiRouterOptions) {
  const { app, limiter, log } = deps;

  const write = (res: HttpResponse, result: ApiResult, msgpack: boolean) => {
    const bytes = result.text ? result.text.content : msgpack ? encode(result.body) : JSON.stringify(result.body);
    res.writeStatus(`${result.status} ${STATUS_TEXT[result.status] ?? 'Unknown'}`);
    res.writeHeader('content-type', result.text ? result.text.contentType : msgpack ? MSGPACK : 'application/json');
    res.writeHeader('cache-control', 'no-cache');
    for (const [name, value] of Object.entries(result.headers ?? {})) res.writeHeader(name, value);
    res.end(bytes);
  };

  const handle = (handler: ApiHandler, paramCount: number, limited: boolean, withBody = false) => (res: HttpResponse, req: HttpRequest) => {
    const request: ApiRequest = {
      method: req.getCaseSensitiveMethod(),
      path: req.getUrl(),
      query: new URLSearchParams(req.getQuery() ?? ''),
      params: Array.from({ length: paramCount }, (_, i) => decodeURIComponent(req.getParameter(i) ?? '')),
      remote: Buffer.from(res.getRemoteAddressAsText()).toString(),
      authorization: req.getHeader('authorization'),
      body: '',
    };
    const msgpack = wantsMsgpack(req.getHeader('accept'));
    const length = Number(req.getHeader('content-length') || 0);
    let aborted = false;
    res.onAborted(() => { aborted = true; });
    const finish = (result: ApiResult) => {
      if (!aborted) res.cork(() => write(res, result, msgpack));
    };

    const rate = limited ? limiter.take(request.remote) : { ok: true as const };
    if (!rate.ok) {
      return finish(apiError(429, 'rate_limited', `too many requests from ${request.remote}: try again in ${rate.retryAfterSec} s`,
        { 'retry-after': String(rate.retryAfterSec) }));
    }
    if (length > opts.maxBodyBytes || req.getHeader('transfer-encoding') !== '') {
      const limit = `${opts.maxBodyBytes} bytes`;
      return finish(apiError(413, 'body_too_large', length > opts.maxBodyBytes
        ? `request body of ${length} bytes is over the limit of ${limit}`
        : `chunked request bodies are not accepted: send Content-Length (limit ${limit})`));
    }
    const run = () => {
      let result: ApiResult | Promise<ApiResult>;
      try {
        result = handler(request);
      } catch (error) {
        result = Promise.reject(error);
      }
      Promise.resolve(result).then(finish, (error: unknown) => {
        log(`gateway: ${request.method} ${request.path}: ${(error as Error).message}`);
        finish(apiError(500, 'internal', (error as Error).message));
      });
    };
    if (!withBody) return run();
    const chunks: Buffer[] = [];
    let size = 0;
    res.onData((chunk, isLast) => {
      if (aborted || size > opts.maxBodyBytes) return;
      size += chunk.byteLength;
      if (size > opts.maxBodyBytes) return finish(apiError(413, 'body_too_large', `request body is over the limit of ${opts.maxBodyBytes} bytes`));
      chunks.push(Buffer.from(chunk.slice(0))); // uWS reuses the chunk's memory after this callback
      if (!isLast) return;
      request.body = Buffer.concat(chunks).toString('utf8');
      run();
    });
  };

  return {
    /** `pattern` in uWS syntax (`/api/sessions/:track/:session`); parameters in order in `req.params`. */
    get(pattern: string, handler: ApiHandler, routeOpts: { limited?: boolean } = {}) {
      app.get(pattern, handle(handler, (pattern.match(/\/:/g) ?? []).length, routeOpts.limited ?? true));
    },
    /** A POST route: the handler runs once the whole body (within maxBodyBytes) is in `req.body`. */
    post(pattern: string, handler: ApiHandler, routeOpts: { limited?: boolean } = {}) {
      app.post(pattern, handle(handler, (pattern.match(/\/:/g) ?? []).length, routeOpts.limited ?? true, true));
    },
    any(pattern: string, handler: ApiHandler) {
      app.any(pattern, handle(handler, 0, true));
    },
  };
}
