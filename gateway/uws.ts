import { createRequire } from 'node:module';
import type * as UWS from 'uWebSockets.js';

/**
 * The pinned uWebSockets.js build silently falls back to a slow JavaScript implementation when its native binary
 * does not load (or when UWS_USE_FALLBACK is set). A gateway on the fallback would look fine and collapse under
 * load, so every process that serves spectators checks this first and refuses to start.
 */
export interface UwsLoad {
  uws: typeof UWS;
  native: boolean;
  /** Why it is not native, in words an operator can act on. */
  problem?: string;
}

const require = createRequire(import.meta.url);

export function loadUws(): UwsLoad {
  const uws = require('uWebSockets.js') as typeof UWS;
  // Functions of the native addon print as "[native code]"; the fallback's are JavaScript source.
  const native = String(uws.App).includes('[native code]');
  if (native) return { uws, native };
  const forced = /^(1|true)$/i.test(process.env.UWS_USE_FALLBACK ?? '');
  const problem = forced
    ? 'uWebSockets.js loaded its slow JavaScript fallback because UWS_USE_FALLBACK is set: unset it'
    : `uWebSockets.js has no native binary for this Node (${process.version}, ABI ${process.versions.modules}, ` +
      `${process.platform}-${process.arch}): use Node 20 on linux x64/arm64 and run npm ci`;
  return { uws, native, problem };
}

export class UwsNotNativeError extends Error {
  override name = 'UwsNotNativeError';
}

/** The native uWS module, or a UwsNotNativeError saying what to fix. */
export function requireNativeUws(): typeof UWS {
  const loaded = loadUws();
  if (!loaded.native) throw new UwsNotNativeError(`refusing to start: ${loaded.problem}`);
  return loaded.uws;
}
