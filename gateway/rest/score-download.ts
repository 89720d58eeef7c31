import type { SessionView } from '../../actors/contracts/view.ts';
import { scoreOutput, type ScoreOutput, type ScoreStanding } from '../../engine/score/output.ts';

/**
 * A session's results as downloads in the format of `pitwall score` (docs/score-output.schema.json): the same JSON
 * the command prints for the same events, and a CSV of the same standings, one row per car, for spreadsheets.
 */

export const scoreOfView = (view: SessionView): ScoreOutput => scoreOutput([{ id: view.session, view }]);

/** The CSV's columns: the standing fields of the score output, in its order. */
export const SCORE_CSV_COLUMNS: (keyof ScoreStanding)[] = [
  'position', 'number', 'name', 'class', 'classPosition', 'laps', 'lastLapMs', 'bestLapMs', 'bestLapNumber', 'elapsedMs',
  'gapMs', 'gapLaps', 'intervalMs', 'intervalLaps', 'status', 'penaltyMs',
];

/** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled; `null` is an empty field. */
function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A header line, then one line per car in finishing order; CRLF line ends (RFC 4180). */
export function scoreCsv(standings: ScoreStanding[]): string {
  const lines = [SCORE_CSV_COLUMNS.join(','), ...standings.map((s) => SCORE_CSV_COLUMNS.map((c) => csvField(s[c])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

/** `attachment; filename="<track>-<session>-results.<ext>"`: browsers save it under that name. */
export const downloadName = (view: SessionView, ext: 'csv' | 'json') =>
  ({ 'content-disposition': `attachment; filename="${view.track}-${view.session}-results.${ext}"` });
