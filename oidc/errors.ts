/** Errors of the identity provider and its administration. Each sets `name`. */

/** An administrative request that cannot be carried out as asked (a taken username, an unknown organisation…). */
export class IdentityAdminError extends Error {
  override name = 'IdentityAdminError';
  constructor(
    readonly reason: 'exists' | 'not-found' | 'invalid' | 'already-initialised',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
