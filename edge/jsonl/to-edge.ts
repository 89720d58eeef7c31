import type { EdgeOutgoing } from '../edge-publisher.ts';
import type { JsonlRecord } from './records.ts';

/**
 * A JSON-lines record as the edge message a device would send (`pitwall edge replay-jsonl`), or why it has none:
 * passings as read (transponder, chip, lane or car id; `loop` → `line`), session changes, flags and ticks. An edge
 * device cannot name a car, declare an event, or make an official's decisions, so a passing by car number, a
 * declaration, `session.official`, penalties, corrections and status changes are not published.
 */
export function jsonlToEdge(record: JsonlRecord): EdgeOutgoing | { skipped: string } {
  switch (record.type) {
    case 'passing': {
      const { atUs, transponder, chip, lane, carId, loop } = record;
      if (record.car !== undefined) return { skipped: 'a passing by car number (an edge device reports what it read)' };
      return {
        kind: 'passing',
        body: {
          type: 'passing', atUs, precisionUs: record.precisionUs ?? 1000, source: 'jsonl',
          ...(transponder === undefined ? {} : { transponder }),
          ...(chip === undefined ? {} : { chip }),
          ...(lane === undefined ? {} : { lane }),
          ...(carId === undefined ? {} : { carId }),
          ...(loop === undefined ? {} : { line: loop }),
        },
      };
    }
    case 'session.open':
      return { kind: 'session', body: { type: 'session.open', session: record.session, atUs: record.atUs, event: record.event } };
    case 'session.start':
    case 'session.finish':
    case 'clock.tick':
      return { kind: 'session', body: { type: record.type, session: record.session, atUs: record.atUs } };
    case 'flag':
      return { kind: 'session', body: { type: 'flag', session: record.session, atUs: record.atUs, flag: record.flag, ...(record.sector === undefined ? {} : { sector: record.sector }) } };
    default:
      return { skipped: record.type };
  }
}
