import type { RmonErrorKind } from '../../actors/contracts/rmonitor.ts';

/**
 * A line that is not an RMonitor record. The codec returns it (never throws it): bad input is data (DESIGN §2.4),
 * counted per `kind` and skipped while the stream goes on. `line` is the 1-based line number in the file or connection.
 */
export class RmonitorParseError extends Error {
  override name = 'RmonitorParseError';
  constructor(
    readonly kind: RmonErrorKind,
    readonly line: number,
    readonly raw: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`line ${line}: ${kind}: ${detail}`, options);
  }
}
