import type { EventDeclaration } from '../../actors/contracts/declaration.ts';
import type { Flag } from '../../actors/contracts/flags.ts';

/**
 * The generic JSON-lines input (docs/jsonl-format.md): one JSON object per line, any source's events, in time order.
 * Times are integer µs since the Unix epoch (`atUs`). Session records name their session; passings do not (the
 * engine assigns them by the declared entries, as for any edge device).
 */
export type JsonlRecord =
  | { type: 'declaration'; declaration: EventDeclaration }
  | { type: 'session.open'; session: string; event: string; atUs: number }
  | { type: 'session.start' | 'session.finish' | 'session.official' | 'clock.tick'; session: string; atUs: number }
  | { type: 'flag'; session: string; atUs: number; flag: Flag; sector?: number }
  | JsonlPassing
  | { type: 'penalty'; session: string; atUs: number; car: string; timeUs?: number; laps?: number; reason?: string }
  | { type: 'correction'; session: string; atUs: number; car: string; laps: number }
  | { type: 'status'; session: string; atUs: number; car: string; status: 'running' | 'dns' | 'dnf' | 'dsq' };

/** A crossing as read: exactly one of car (number), transponder, chip, lane or carId. */
export interface JsonlPassing {
  type: 'passing';
  atUs: number;
  car?: string;
  transponder?: string;
  chip?: string;
  lane?: number;
  carId?: string;
  /** The timing line or decoder loop; start/finish when absent. */
  loop?: string;
  /** Default 1000 µs. */
  precisionUs?: number;
}

export type JsonlRecordType = JsonlRecord['type'];
