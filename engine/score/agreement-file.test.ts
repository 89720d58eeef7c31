import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { CAUSES, NOISE_CAUSES, addTallies } from '../../actors/rmonitor/agreement/tally.ts';
import { CAPTURES, capturePath } from '../../edge/rmonitor/testing/captures.ts';
import { REPO_ROOT } from '../paths.ts';
import { agreementOfFile, type CaptureAgreement } from './agreement-file.ts';
import { agreementMarkdown } from './agreement-output.ts';
import { scoreCaptureFile } from './score-file.ts';

/**
 * The agreement of independent scoring with the real captures' own boards, pinned (issue 6). A figure that drops
 * fails; one that rises is good news: raise its pin in the same commit (and regenerate docs/scoring-accuracy.md).
 * rows: $G rows compared; agree: position and laps both; answering: a car's first row after its own $J.
 */
const PINS: [capture: string, session: string, pin: { rows: number; agree: number; answering: number; answeringAgree: number; finalExact: boolean }][] = [
  ['bradfier/2009_Sebring_ALMS_Session_4.txt', 'run-32', { rows: 1944, agree: 1915, answering: 374, answeringAgree: 372, finalExact: true }],
  ['bradfier/2009_Sebring_ALMS_Session_4_Lites.txt', 'run-34', { rows: 3864, agree: 3861, answering: 325, answeringAgree: 325, finalExact: true }],
  ['bradfier/2009_Sebring_ALMS_Session_5.txt', 'run-33', { rows: 4093, agree: 4089, answering: 508, answeringAgree: 508, finalExact: true }],
  ['bradfier/Orbits_Mock_Session.txt', 'run-25', { rows: 68, agree: 68, answering: 52, answeringAgree: 52, finalExact: true }],
  ['redmist/TestAbnormalReset.txt', 'run-67', { rows: 187, agree: 129, answering: 23, answeringAgree: 23, finalExact: true }],
  ['redmist/TestEntries.txt', 'run-67', { rows: 0, agree: 0, answering: 0, answeringAgree: 0, finalExact: true }],
  ['redmist/TestFlagtronicsPurple.txt', 'run-0', { rows: 1, agree: 0, answering: 1, answeringAgree: 0, finalExact: true }],
  ['redmist/TestGap.txt', 'run-72', { rows: 503, agree: 494, answering: 185, answeringAgree: 185, finalExact: true }],
  ['redmist/TestInitialPositions.txt', 'run-0', { rows: 96, agree: 0, answering: 0, answeringAgree: 0, finalExact: true }],
  ['redmist/TestMidRaceClassChange.txt', 'run-39', { rows: 2, agree: 2, answering: 0, answeringAgree: 0, finalExact: true }],
  // Final order: the program's last list repeats position 43 (docs/scoring-accuracy.md).
  ['redmist/TestResetRetainLapTime.txt', 'run-67', { rows: 293, agree: 180, answering: 40, answeringAgree: 40, finalExact: false }],
  ['redmist/TestSessionChanges.txt', 'run-61', { rows: 830, agree: 825, answering: 417, answeringAgree: 417, finalExact: true }],
  ['redmist/TestSessionChanges.txt', 'run-55', { rows: 159, agree: 159, answering: 157, answeringAgree: 157, finalExact: true }],
  ['redmist/TestSessionChanges.txt', 'run-62', { rows: 851, agree: 835, answering: 440, answeringAgree: 440, finalExact: true }],
  // Untimed: the program lists cars that never started the clock in an order the feed does not show.
  ['redmist/TestSessionChanges.txt', 'run-56', { rows: 273, agree: 57, answering: 155, answeringAgree: 41, finalExact: false }],
  ['redmist/TestSessionChanges.txt', 'run-63', { rows: 1178, agree: 1155, answering: 451, answeringAgree: 451, finalExact: true }],
  ['redmist/TestSessionChanges.txt', 'run-57', { rows: 175, agree: 175, answering: 173, answeringAgree: 173, finalExact: true }],
  ['redmist/TestSessionChanges.txt', 'run-64', { rows: 620, agree: 612, answering: 289, answeringAgree: 289, finalExact: true }],
  ['redmist/TestSessionChanges.txt', 'run-58', { rows: 184, agree: 184, answering: 151, answeringAgree: 151, finalExact: true }],
  ['redmist/TestSessionChanges.txt', 'run-65', { rows: 506, agree: 501, answering: 197, answeringAgree: 197, finalExact: true }],
  ['redmist/TestSessionChanges.txt', 'run-59', { rows: 3, agree: 3, answering: 3, answeringAgree: 3, finalExact: true }],
  ['redmist/TestSessionChanges.txt', 'run-66', { rows: 21, agree: 21, answering: 20, answeringAgree: 20, finalExact: true }],
  ['redmist/TestStart.txt', 'run-67', { rows: 817, agree: 559, answering: 168, answeringAgree: 167, finalExact: true }],
];

const reports: CaptureAgreement[] = [];
t.before(async () => {
  for (const name of CAPTURES) reports.push(await agreementOfFile(capturePath(name)));
});
const sessionsOf = (folder: string) => reports.filter((r) => r.file.includes(`/${folder}/`)).flatMap((r) => r.sessions);

t.test('every capture and session keeps its pinned figures', async (t) => {
  const seen = reports.flatMap((r) => r.sessions.map((s) => `${path.relative(capturePath(''), r.file)} ${s.session}`));
  t.same(seen, PINS.map(([c, s]) => `${c} ${s}`), 'the same sessions, in feed order');
  for (const [capture, session, pin] of PINS) {
    const s = reports.find((r) => r.file === capturePath(capture))!.sessions.find((x) => x.session === session)!;
    const at = `${capture} ${session}`;
    t.equal(s.race.records, pin.rows, `${at}: rows compared`);
    t.equal(s.race.answering, pin.answering, `${at}: answering rows`);
    t.ok(s.race.agree >= pin.agree, `${at}: agreeing rows ${s.race.agree} ≥ ${pin.agree}`);
    t.ok(s.race.answeringAgree >= pin.answeringAgree, `${at}: agreeing answering rows ${s.race.answeringAgree} ≥ ${pin.answeringAgree}`);
    if (pin.finalExact) t.ok(s.finalRace.exact, `${at}: final $G order exact`);
  }
});

t.test('clean feeds (bradfier/) together: ≥ 99.5% raw $G agreement, every final $G order exact, $H reported', async (t) => {
  const sessions = sessionsOf('bradfier');
  const race = addTallies(sessions.map((s) => s.race));
  t.ok(race.agree / race.records >= 0.995, `raw agreement ${race.agree}/${race.records}`);
  t.ok(sessions.every((s) => s.finalRace.exact && s.finalRace.cars > 0), 'every final order exact');
  t.ok(addTallies(sessions.map((s) => s.best)).records > 11_000, '$H rows compared');
  t.ok(sessions.find((s) => s.session === 'run-33')!.best.causes['other-run'] > 1_000, 'Sebring 5: $H rows of another run, a named cause');
});

t.test('2025 feeds (redmist/), timed sessions: ≥ 96% answering, ≥ 99.5% with noise and missing input set aside', async (t) => {
  const sessions = sessionsOf('redmist').filter((s) => s.timed);
  const race = addTallies(sessions.map((s) => s.race));
  t.ok(race.answeringAgree / race.answering >= 0.96, `answering agreement ${race.answeringAgree}/${race.answering}`);
  const noise = NOISE_CAUSES.reduce((n, c) => n + race.answeringCauses[c], 0);
  t.ok(race.answeringAgree / (race.answering - noise) >= 0.995, `explained ${race.answeringAgree}/${race.answering - noise}`);
  const inexact = sessions.filter((s) => !s.finalRace.exact).map((s) => s.session);
  t.same(inexact, ['run-67'], 'only TestResetRetainLapTime (a repeated position in the program\'s last list)');
});

t.test('the disagreement counts add up to the gap, for every board of every session', async (t) => {
  for (const r of reports) {
    for (const s of r.sessions) {
      for (const board of [s.race, s.best]) {
        t.equal(CAUSES.reduce((n, c) => n + board.causes[c], 0), board.records - board.agree, `${path.basename(r.file)} ${s.session}`);
        t.equal(CAUSES.reduce((n, c) => n + board.answeringCauses[c], 0), board.answering - board.answeringAgree);
      }
    }
  }
});

t.test('the report scores exactly what pitwall score prints', async (t) => {
  for (const name of ['bradfier/Orbits_Mock_Session.txt', 'redmist/TestGap.txt']) {
    const { output } = await scoreCaptureFile(capturePath(name));
    const report = reports.find((r) => r.file === capturePath(name))!;
    t.same(report.sessions.map((s) => s.view.rows.map((r) => [r.number, r.laps])), output.sessions.map((s) => s.standings.map((r) => [r.number, r.laps])), name);
  }
});

t.test('docs/scoring-accuracy.md holds the tables the tool prints for these captures', async (t) => {
  const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'scoring-accuracy.md'), 'utf8');
  const block = /<!-- agreement:begin -->\n([\s\S]*?)\n<!-- agreement:end -->/.exec(doc)?.[1];
  t.equal(block, agreementMarkdown(reports), 'regenerate with: pitwall score --report --format markdown edge/rmonitor/fixtures/bradfier/*.txt edge/rmonitor/fixtures/redmist/Test*.txt');
});
