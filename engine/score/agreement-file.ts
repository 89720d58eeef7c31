import type { EventDeclaration } from '../../actors/contracts/declaration.ts';
import { type AgreementReport, createAgreement } from '../../actors/rmonitor/agreement/agreement.ts';
import { readCapture } from '../../edge/rmonitor/capture.ts';

/**
 * `pitwall score --report`: the agreement of independent scoring with a capture's own `$G`/`$H` boards
 * (actors/rmonitor/agreement). Bad lines are counted and skipped. Deterministic: the report depends on the file's
 * records only.
 */
export interface CaptureAgreement extends AgreementReport {
  file: string;
  badLines: number;
}

export async function agreementOfFile(file: string, declaration?: EventDeclaration): Promise<CaptureAgreement> {
  const agreement = createAgreement(declaration ? { declaration } : {});
  let badLines = 0;
  for await (const entry of readCapture(file)) {
    if (entry.record) agreement.push(entry.record, entry.line);
    else badLines++;
  }
  return { file, badLines, ...agreement.end() };
}
