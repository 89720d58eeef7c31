import type { RmonErrorKind, RmonRecord, RmonRecordType } from '../../actors/contracts/rmonitor.ts';
import type { RmonitorParseError } from './errors.ts';

/** Counts of records per type and errors per kind: the "bad lines are counted" metric (DESIGN §2.4). */
export interface RmonCounts {
  records: number;
  recordsByType: Partial<Record<RmonRecordType, number>>;
  errors: Partial<Record<RmonErrorKind, number>>;
}

export interface RmonCounter {
  count(result: RmonRecord | RmonitorParseError): void;
  countError(kind: RmonErrorKind): void;
  snapshot(): RmonCounts;
}

export function createRmonCounter(): RmonCounter {
  let records = 0;
  const byType: Partial<Record<RmonRecordType, number>> = {};
  const errors: Partial<Record<RmonErrorKind, number>> = {};
  const countError = (kind: RmonErrorKind) => {
    errors[kind] = (errors[kind] ?? 0) + 1;
  };
  return {
    count(result) {
      if (result instanceof Error) return countError(result.kind);
      records++;
      byType[result.type] = (byType[result.type] ?? 0) + 1;
    },
    countError,
    snapshot: () => ({ records, recordsByType: { ...byType }, errors: { ...errors } }),
  };
}
