import t, { type Test } from 'tap';
import type { RmonRecord } from '../../contracts/rmonitor.ts';
import { A, B, C, F, G, H, I, J } from '../testing/records.ts';
import { type AgreementReport, createAgreement } from './agreement.ts';
import { CAUSES, type Cause } from './tally.ts';

function agreement(records: RmonRecord[]): AgreementReport {
  const a = createAgreement();
  records.forEach((r, i) => a.push(r, i + 1));
  return a.end();
}

/** A three-car race that has started: cars 1 and 2 cross the line (lap 0), the program answers each. */
const start = (): RmonRecord[] => [
  B(1, 'Race'), C(1, 'GT'), A('1', 1), A('2', 1), A('3', 1), F(0, 'green'), F(1),
  J('1', 0, 2), G(1, '1', null, 2), J('2', 0, 3), G(2, '2', null, 3),
];

const only = (report: AgreementReport) => {
  t.equal(report.sessions.length, 1, 'one session');
  return report.sessions[0]!;
};

/** The counts add up to the gap: every disagreement has exactly one cause. */
function addsUp(t: Test, report: AgreementReport) {
  for (const s of report.sessions) {
    for (const board of [s.race, s.best]) {
      const causes = CAUSES.reduce((n, c) => n + board.causes[c], 0);
      t.equal(causes, board.records - board.agree, `${s.session}: causes add up to the gap`);
      t.equal(CAUSES.reduce((n, c) => n + board.answeringCauses[c], 0), board.answering - board.answeringAgree, 'answering causes too');
    }
  }
}

const causesOf = (report: AgreementReport): Partial<Record<Cause, number>> =>
  Object.fromEntries(Object.entries(only(report).race.causes).filter(([, n]) => n > 0));

t.test('rows that agree: raw and answering agreement, final order exact', async (t) => {
  const report = agreement([...start(), J('1', 97, 99), G(1, '1', 1, 99), J('2', 98, 101), G(2, '2', 1, 101)]);
  const s = only(report);
  t.match(s, { session: 'run-1', type: 'race', timed: true });
  t.match(s.race, { records: 4, agree: 4, positionAgree: 4, valueAgree: 4, answering: 4, answeringAgree: 4 });
  t.same(causesOf(report), {});
  t.match(s.finalRace, { exact: true, cars: 2, unplaced: ['3'] });
  addsUp(t, report);
});

t.test('a row that no cause explains is a rule disagreement, counted with its example', async (t) => {
  const report = agreement([...start(), J('1', 97, 99), G(3, '1', 1, 99)]);
  t.same(causesOf(report), { rule: 1 });
  t.match(only(report).race.examples.rule, { line: 13, car: '1', program: { position: 3, value: 1 }, ours: { position: 1, value: 1 }, answering: true });
  t.match(only(report).finalRace, { exact: false, firstDifference: { position: 1, program: '2', ours: '1' } });
  addsUp(t, report);
});

t.test('emission lag: a row that shows our board of a few crossings before', async (t) => {
  // Car 1 completed a lap at 99 s; its row, sent after car 2's next crossing, still shows it on lap 0.
  const report = agreement([...start(), J('1', 97, 99), J('2', 98, 101), G(1, '1', 0, 2)]);
  t.same(causesOf(report), { lag: 1 });
  addsUp(t, report);
});

t.test('post-$I refresh: the empty board re-sent after $I; the real list after it agrees', async (t) => {
  const report = agreement([...start(), J('1', 97, 99), G(1, '1', 1, 99), I, G(1, '1', null, 0), G(2, '2', null, 0), G(1, '1', 1, 99), G(2, '2', null, 3), J('2', 98, 101)]);
  t.same(causesOf(report), { refresh: 1 }, 'car 1 with empty laps; car 2 with 0 laps agrees');
  t.equal(only(report).race.records, 7);
  addsUp(t, report);
});

t.test('rows of another run and rows beyond the field', async (t) => {
  const report = agreement([...start(), G(4, '99', 3, 50), G(7, '2', 0, 3)]);
  t.same(causesOf(report), { 'other-run': 1, 'beyond-field': 1 });
  addsUp(t, report);
});

t.test('edits: laps the program changed without a passing', async (t) => {
  const report = agreement([...start(), J('1', 97, 99), G(1, '1', 1, 99), G(1, '1', 3, 99)]);
  t.same(causesOf(report), { edit: 1 });
  addsUp(t, report);
});

t.test('missing passing: a crossing the program shows that the feed never sent', async (t) => {
  const report = agreement([...start(), J('3', 0, 4), G(3, '3', null, 4), G(1, '3', 1, 100)]);
  t.same(causesOf(report), { 'missing-passing': 1 });
  addsUp(t, report);
});

t.test('a car first seen with a time and no crossing is seeded from its row, not a disagreement', async (t) => {
  const report = agreement([...start(), G(3, '3', null, 4), J('3', 99, 103), G(1, '3', 1, 103)]);
  t.same(causesOf(report), {});
  t.equal(only(report).race.agree, 4);
});

t.test('best-lap board ($H): compared with our best-lap order whatever the session type', async (t) => {
  const report = agreement([...start(), J('1', 97, 99), H(1, '1', 97), J('2', 96, 99), H(1, '2', 96), H(2, '1', 97), H(3, '3', null)]);
  t.match(only(report).best, { records: 4, agree: 4, answering: 2, answeringAgree: 2 });
  t.match(only(report).finalBest, { exact: true, cars: 3 });
  addsUp(t, report);
});

t.test('rows before the first $B are compared under the session the $B names', async (t) => {
  const report = agreement([C(1, 'GT'), A('1', 1), A('2', 1), F(0, 'green'), F(1), J('1', 0, 2), G(1, '1', null, 2), B(7, 'Race 7'), J('2', 0, 3), G(2, '2', null, 3)]);
  const s = only(report);
  t.equal(s.session, 'run-7');
  t.match(s.race, { records: 2, agree: 2 });
});

t.test('the scratch run after a named run is another board: its rows are outside any session', async (t) => {
  const report = agreement([...start(), B(95, 'Race'), A('7', 1), G(1, '7', null, 0), B(1, 'Race'), G(1, '1', null, 2)]);
  t.equal(report.unassignedRows, 1);
  t.match(only(report).race, { records: 3, agree: 3 });
  t.notOk(only(report).view.rows.some((r) => r.number === '7'), 'the scratch run\'s car is not an entry');
});
