import path from 'node:path';
import type { SessionAgreement } from '../../actors/rmonitor/agreement/agreement.ts';
import type { FinalOrder } from '../../actors/rmonitor/agreement/final-order.ts';
import { addTallies, type BoardTally, CAUSES, type Cause, type Disagreement, NOISE_CAUSES } from '../../actors/rmonitor/agreement/tally.ts';
import type { CaptureAgreement } from './agreement-file.ts';

/**
 * How `pitwall score --report` shows agreement reports: JSON (every count), a text table for people, and the
 * Markdown tables of docs/scoring-accuracy.md. Percentages have two decimals; `explained` is the agreement once
 * the noise causes (tally.ts `NOISE_CAUSES`) are set aside: agree ÷ (rows − noise).
 */
export interface AgreementFigures {
  rows: number;
  agree: number;
  answering: number;
  answeringAgree: number;
  /** Disagreements of answering rows that are not feed noise or missing input (cause `rule`). */
  answeringRule: number;
}

export function figures(t: BoardTally): AgreementFigures {
  return { rows: t.records, agree: t.agree, answering: t.answering, answeringAgree: t.answeringAgree, answeringRule: t.answeringCauses.rule };
}

export const pct = (part: number, whole: number): string => (whole === 0 ? '–' : `${((100 * part) / whole).toFixed(2)}%`);

const noise = (causes: Record<Cause, number>) => NOISE_CAUSES.reduce((n, c) => n + causes[c], 0);
const explained = (agree: number, total: number, causes: Record<Cause, number>) => pct(agree, total - noise(causes));

/** The report as JSON data: every count, without the final boards. */
export function agreementJson(captures: CaptureAgreement[]) {
  return {
    captures: captures.map((c) => ({
      file: c.file,
      badLines: c.badLines,
      unassignedRows: c.unassignedRows,
      sessions: c.sessions.map(({ view: _v, ...s }) => s),
    })),
  };
}

/** Sessions grouped by the folder their capture is in (`bradfier`, `redmist`): all, and timed ones only. */
export function groups(captures: CaptureAgreement[]): { name: string; sessions: SessionAgreement[] }[] {
  const byFolder = new Map<string, SessionAgreement[]>();
  for (const c of captures) {
    const folder = path.basename(path.dirname(c.file));
    byFolder.set(folder, [...(byFolder.get(folder) ?? []), ...c.sessions]);
  }
  return [...byFolder].flatMap(([folder, sessions]) => [
    { name: `${folder}/, all sessions`, sessions },
    { name: `${folder}/, timed sessions`, sessions: sessions.filter((s) => s.timed) },
  ]);
}

const finalText = (f: FinalOrder) =>
  f.cars === 0 ? '–' : f.exact ? `exact (${f.cars})` : `P${f.firstDifference!.position}: ${f.firstDifference!.program} ≠ ${f.firstDifference!.ours}`;

const sessionCells = (s: SessionAgreement) => [
  s.session, s.type, s.timed ? 'yes' : 'no',
  String(s.race.records), pct(s.race.positionAgree, s.race.records), pct(s.race.valueAgree, s.race.records), pct(s.race.agree, s.race.records),
  String(s.race.answering), pct(s.race.answeringAgree, s.race.answering), explained(s.race.answeringAgree, s.race.answering, s.race.answeringCauses),
  finalText(s.finalRace),
  String(s.best.records), pct(s.best.agree, s.best.records), pct(s.best.answeringAgree, s.best.answering), finalText(s.finalBest),
];

const HEADER = ['capture', 'session', 'type', 'timed', '$G rows', 'position', 'laps', 'both', 'answering', 'agree', 'explained',
  'final $G', '$H rows', 'agree', 'answering', 'final $H'];

const totalCells = (name: string, sessions: SessionAgreement[]) => {
  const race = addTallies(sessions.map((s) => s.race));
  const best = addTallies(sessions.map((s) => s.best));
  const finals = sessions.filter((s) => s.finalRace.cars > 0);
  return [name, '', '', '',
    String(race.records), pct(race.positionAgree, race.records), pct(race.valueAgree, race.records), pct(race.agree, race.records),
    String(race.answering), pct(race.answeringAgree, race.answering), explained(race.answeringAgree, race.answering, race.answeringCauses),
    `${finals.filter((s) => s.finalRace.exact).length}/${finals.length} exact`,
    String(best.records), pct(best.agree, best.records), pct(best.answeringAgree, best.answering), ''];
};

function markdownRow(cells: string[]): string {
  return `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
}

/** The agreement table, one row per session and one per group taken together, then the causes with an example. */
export function agreementMarkdown(captures: CaptureAgreement[]): string {
  const lines = [markdownRow(HEADER), markdownRow(HEADER.map(() => '---'))];
  for (const c of captures) for (const s of c.sessions) lines.push(markdownRow([captureName(c.file), ...sessionCells(s)]));
  for (const g of groups(captures)) lines.push(markdownRow(totalCells(`**${g.name}**`, g.sessions).map((x, i) => (i === 0 ? x : x && `**${x}**`))));
  lines.push('', causesMarkdown(captures));
  return lines.join('\n');
}

/** Disagreements by cause, per board: all rows and answering rows; they add up to the gap. */
export function causesMarkdown(captures: CaptureAgreement[]): string {
  const sessions = captures.flatMap((c) => c.sessions.map((s) => ({ c, s })));
  const race = addTallies(sessions.map(({ s }) => s.race));
  const best = addTallies(sessions.map(({ s }) => s.best));
  const example = (cause: Cause) => {
    for (const board of ['race', 'best'] as const) {
      for (const { c, s } of sessions) {
        const d = s[board].examples[cause];
        if (d) return `${captureName(c.file)} ${s.session} line ${d.line}: ${describe(d)}`;
      }
    }
    return '';
  };
  const lines = [markdownRow(['cause', '$G rows', '$G answering', '$H rows', '$H answering', 'first example']), markdownRow(['---', '---', '---', '---', '---', '---'])];
  for (const cause of CAUSES) {
    lines.push(markdownRow([cause, String(race.causes[cause]), String(race.answeringCauses[cause]), String(best.causes[cause]), String(best.answeringCauses[cause]), example(cause)]));
  }
  const gap = (t: BoardTally) => t.records - t.agree;
  const answeringGap = (t: BoardTally) => t.answering - t.answeringAgree;
  lines.push(markdownRow(['**gap** (rows − agreeing rows)', String(gap(race)), String(answeringGap(race)), String(gap(best)), String(answeringGap(best)), '']));
  return lines.join('\n');
}

/** A disagreement in words: `$G 21: P8, 12 laps; ours P5, 12 laps`. */
export function describe(d: Disagreement): string {
  const value = (v: number | undefined) => (d.board === 'race' ? `${v ?? 0} laps` : v === undefined ? 'no best lap' : `best ${(v / 1000).toFixed(3)} s`);
  const ours = d.ours ? `ours P${d.ours.position}, ${value(d.ours.value)}` : 'not an entry here';
  return `${d.board === 'race' ? '$G' : '$H'} car ${d.car}: P${d.program.position}, ${value(d.program.value)}; ${ours}${d.answering ? ' (answering)' : ''}`;
}

/** A plain text report for people: the session table, groups taken together, causes. */
export function agreementText(captures: CaptureAgreement[]): string {
  const widths = HEADER.map((h) => Math.max(h.length, 8));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(i === 0 ? 34 : 8) : c.padStart(widths[i]!))).join(' ');
  const out = [line(HEADER)];
  for (const c of captures) {
    for (const s of c.sessions) out.push(line([captureName(c.file), ...sessionCells(s)]));
    if (c.unassignedRows || c.badLines) out.push(`  ${captureName(c.file)}: ${c.unassignedRows} program row(s) outside any session, ${c.badLines} bad line(s)`);
  }
  out.push('');
  for (const g of groups(captures)) out.push(line(totalCells(g.name, g.sessions)));
  out.push('', 'disagreements by cause (docs/scoring-accuracy.md):', causesMarkdown(captures));
  return out.join('\n');
}

/** `bradfier/2009_Sebring_ALMS_Session_4.txt`: the folder and the file. */
export const captureName = (file: string) => `${path.basename(path.dirname(file))}/${path.basename(file)}`;
