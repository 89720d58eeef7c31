export { createTokenVerifier, type TokenVerifier, type TokenVerifierOptions } from './verifier.ts';
export { authorize, type Requirement } from './authorize.ts';
export { AccessDeniedError, TokenRejectedError, type AccessDenial, type TokenRejection } from './errors.ts';
export { createPrivateEventLookup, type PrivateEvent, type PrivateEventLookup } from './private-events.ts';
export { viewRefusal } from './view-access.ts';
