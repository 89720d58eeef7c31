import t from 'tap';
import { standing } from '../../engine/score/output.ts';
import { SCORE_CSV_COLUMNS, scoreCsv } from './score-download.ts';

t.test('CSV: a header, one CRLF line per car, null as empty, commas and quotes quoted', async (t) => {
  const rows = [
    standing({ number: '7', name: 'Lovelace, Ada', class: 'gt', position: 1, classPosition: 1, laps: 3, lastLapUs: 91_234_567, bestLapUs: 90_000_400, bestLapNumber: 2, elapsedUs: 275_000_000 }),
    standing({ number: '12', name: 'Grace "Amazing" Hopper', class: 'gt', position: 2, classPosition: 2, laps: 2, gapLaps: 1, intervalLaps: 1, penaltyUs: 5_000_000 }),
  ];
  t.equal(scoreCsv(rows), [
    SCORE_CSV_COLUMNS.join(','),
    '1,7,"Lovelace, Ada",gt,1,3,91235,90000,2,275000,,,,,running,0',
    '2,12,"Grace ""Amazing"" Hopper",gt,2,2,,,,,,1,,1,running,5000',
    '',
  ].join('\r\n'));
  t.equal(scoreCsv([]), `${SCORE_CSV_COLUMNS.join(',')}\r\n`, 'no cars: the header alone');
});
