/** Why a bearer token was not accepted (HTTP 401 / WebSocket `auth` refused). */
export type TokenRejection = 'missing' | 'malformed' | 'expired' | 'signature' | 'issuer' | 'audience' | 'claims';

export class TokenRejectedError extends Error {
  override name = 'TokenRejectedError';
  constructor(
    readonly reason: TokenRejection,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Why a valid token does not allow an action (HTTP 403). */
export type AccessDenial = 'organisation' | 'role' | 'entry';

export class AccessDeniedError extends Error {
  override name = 'AccessDeniedError';
  constructor(
    readonly reason: AccessDenial,
    message: string,
  ) {
    super(message);
  }
}
