import t from 'tap';
import type { RmonRecord } from '../../actors/contracts/rmonitor.ts';
import { encodeRecord, parseLine, splitMerged } from './codec.ts';
import { RmonitorParseError } from './errors.ts';

const ok = (line: string): RmonRecord => {
  const r = parseLine(line, 1);
  if (r instanceof RmonitorParseError) throw r;
  return r;
};
const err = (line: string, lineNo = 7): RmonitorParseError => {
  const r = parseLine(line, lineNo);
  if (!(r instanceof RmonitorParseError)) throw new Error(`expected an error for ${line}`);
  return r;
};

t.test('real lines from the shared captures', async (t) => {
  // TestGap.txt (COTA 2025)
  t.same(ok('$F,9999,"04:23:19","10:36:40","02:36:40","Yellow"'), {
    type: 'F', lapsToGo: 9999, timeToGo: '04:23:19', timeToGoUs: 15_799_000_000, timeOfDay: '10:36:40', timeOfDayUs: 38_200_000_000,
    raceTime: '02:36:40', raceUs: 9_400_000_000, flagRaw: 'Yellow', flag: 'yellow',
  });
  t.same(ok('$A,"60","60",12314254,"Stratus 60","","",1'), {
    type: 'A', regNo: '60', number: '60', transponder: '12314254', firstName: 'Stratus 60', lastName: '', nationality: '', classId: 1,
  });
  t.same(ok('$COMP,"418","418",4,"Fawn Group Motorsports","","","Fawn Group Construction / Komcan Komori / Red Gree"'), {
    type: 'COMP', regNo: '418', number: '418', classId: 4, firstName: 'Fawn Group Motorsports', lastName: '', nationality: '',
    additional: 'Fawn Group Construction / Komcan Komori / Red Gree',
  });
  t.same(ok('$B,72,"Sunday 7 hour"'), { type: 'B', run: 72, description: 'Sunday 7 hour' });
  t.same(ok('$C,1,"GP1"'), { type: 'C', classId: 1, description: 'GP1' });
  t.same(ok('$E,"TRACKNAME","Circut Of The Americas"'), { type: 'E', name: 'TRACKNAME', value: 'Circut Of The Americas' });
  // TestInitialPositions.txt: laps empty on the lap-0 grid
  t.same(ok('$G,1,"70",,"00:00:00.000"'), { type: 'G', position: 1, regNo: '70', laps: null, totalTime: '00:00:00.000', raceUs: 0 });
  t.same(ok('$H,8,"290",2,"00:02:22.519"'), { type: 'H', position: 8, regNo: '290', bestLap: 2, bestLapTime: '00:02:22.519', lapUs: 142_519_000 });
  t.same(ok('$J,"91","00:04:35.128","00:44:59.433"'), {
    type: 'J', regNo: '91', lapTime: '00:04:35.128', lapUs: 275_128_000, totalTime: '00:44:59.433', raceUs: 2_699_433_000,
  });
  // redmist's blank $I, with blanks after the separators
  t.same(ok('$I, "00:00:00", "0/0/0000"'), { type: 'I', timeOfDay: '00:00:00', timeOfDayUs: 0, date: '0/0/0000' });
  t.same(ok('$I,"16:18:53","25 Apr 25"'), { type: 'I', timeOfDay: '16:18:53', timeOfDayUs: 58_733_000_000, date: '25 Apr 25' });
  // TestStart.txt: Orbits counts down to the start with a negative race time; blank flag
  const countdown = ok('$F,9999,"08:00:47","08:59:12","00:00:-47","      "');
  t.match(countdown, { raceTime: '00:00:-47', raceUs: -47_000_000, flag: 'none', flagRaw: '      ' });
  // 2009 Sebring: $L before IMSA v1.03 has no driver id and class
  t.same(ok('$L,"40","P2","POP","01/27/2009","08:00:05.894"'), {
    type: 'L', number: '40', line: 'P2', lineName: 'POP', date: '01/27/2009', time: '08:00:05.894', timeOfDayUs: 28_805_894_000,
  });
  t.match(ok('$F,9999,"00:00:00","07:59:36","00:59:59","Red   "'), { flag: 'red' });
  t.match(ok('$F,0,"00:00:00","16:24:24","00:00:00","Finish"'), { flag: 'finish', lapsToGo: 0 });
});

t.test('records of the specs that the captures lack', async (t) => {
  t.same(ok('$COR,"123BE","658",2,"00:00:35.272","+00:00:00.012"'), {
    type: 'COR', regNo: '123BE', number: '658', laps: 2, totalTime: '00:00:35.272', raceUs: 35_272_000, correction: '+00:00:00.012', correctionUs: 12_000,
  });
  t.match(ok('$COR,"1","1",2,"00:00:35.272","-00:00:01.500"'), { correctionUs: -1_500_000 });
  t.same(ok('$L,"13","P2","POP","01/27/2009","10:10:20.589",1,"PC"'), {
    type: 'L', number: '13', line: 'P2', lineName: 'POP', date: '01/27/2009', time: '10:10:20.589', timeOfDayUs: 36_620_589_000, driverId: 1, className: 'PC',
  });
  const track = ok('$T,"Circuit of the Americas","COTA","3.40",2,"S01","T1","T2",3375,"LAP","T1","P1",217379');
  t.same(track, {
    type: 'T', name: 'Circuit of the Americas', shortName: 'COTA', distance: '3.40', sectionCount: 2,
    sections: [{ name: 'S01', start: 'T1', end: 'T2', inches: 3375 }, { name: 'LAP', start: 'T1', end: 'P1', inches: 217379 }],
  });
  t.match(ok('$RMHL,"12","5","3","00:01:59.123","Green ","00:10:02.001"'), { type: 'RMHL', regNo: '12', lap: 5, position: 3, lapUs: 119_123_000, flag: 'green', raceUs: 602_001_000 });
  t.same(ok('$RMS,"race"'), { type: 'RMS', sortMode: 'race' });
  t.same(ok('$RMLT,"12",1234567'), { type: 'unknown', code: 'RMLT', raw: '$RMLT,"12",1234567' });
  t.same(ok('$RMCA,1234'), { type: 'unknown', code: 'RMCA', raw: '$RMCA,1234' });
});

t.test('fields: commas and quotes inside quoted text, extra fields', async (t) => {
  t.match(ok('$A,"7","7",123,"Smith, Jones & Co","O"Neil","USA",2'), { firstName: 'Smith, Jones & Co', lastName: 'O"Neil', classId: 2 });
  t.match(ok('$B,"5","Friday, free practice"'), { run: 5, description: 'Friday, free practice' });
  const extra = ok('$C,5,"Formula 3000","new field",7');
  t.same(extra, { type: 'C', classId: 5, description: 'Formula 3000', extra: ['new field', '7'] });
  t.same(ok(encodeRecord(extra)), extra);
});

t.test('bad lines give typed errors with the line number', async (t) => {
  const cases: [string, string][] = [
    ['garbage', 'not-a-record'],
    ['', 'not-a-record'],
    ['F,1,2', 'not-a-record'],
    ['$F,9999,"04:23:19","10:36:40","02:3', 'unterminated-quote'],
    ['$J,"91","00:04:35.128"', 'field-count'],
    ['$F', 'field-count'],
    ['$G,first,"70",,"00:00:00.000"', 'bad-number'],
    ['$B,,"no run number"', 'bad-number'],
    ['$J,"91","4 minutes","00:44:59.433"', 'bad-time'],
    ['$T,"X","X","1",2,"S1","T1","T2",5', 'field-count'],
    ['$T,"X","X","1",two', 'bad-number'],
  ];
  for (const [line, kind] of cases) {
    const e = err(line, 42);
    t.equal(e.kind, kind, line);
    t.equal(e.line, 42);
    t.equal(e.raw, line);
    t.equal(e.name, 'RmonitorParseError');
    t.match(e.message, /^line 42: /);
  }
});

t.test('encode gives the spec form and parses back to the same record', async (t) => {
  for (const line of [
    '$F,14,"00:12:45","13:34:23","00:09:47","Green "',
    '$A,"1234BE","12X",52474,"John","Johnson","USA",5',
    '$COMP,"1234BE","12X",5,"John","Johnson","USA","CAMEL"',
    '$G,1,"70",,"00:00:00.000"',
    '$L,"40","P2","POP","01/27/2009","08:00:05.894"',
    '$T,"Circuit of the Americas","COTA","3.40",1,"S01","T1","T2",3375',
    '$RMHL,"12",5,3,"00:01:59.123","Green ","00:10:02.001"',
    '$XYZ,1,2',
  ]) {
    const record = ok(line);
    t.equal(encodeRecord(record), line);
  }
  t.equal(encodeRecord(ok('$I, "00:00:00", "0/0/0000"')), '$I,"00:00:00","0/0/0000"');
});

t.test('splitMerged splits two records glued on one line', async (t) => {
  t.same(splitMerged('$G,1,"70",,"00:00:00.000"$H,1,"70",0,"00:00:00.000"'), ['$G,1,"70",,"00:00:00.000"', '$H,1,"70",0,"00:00:00.000"']);
  t.same(splitMerged('$F,9999,"04:23:19","10:3$COMP,"55","55",1,"AOA Racing","","",""'), ['$F,9999,"04:23:19","10:3', '$COMP,"55","55",1,"AOA Racing","","",""']);
  t.same(splitMerged('$J,"91","00:04:35.128","00:44:59.433"'), ['$J,"91","00:04:35.128","00:44:59.433"']);
  t.same(splitMerged('$A,"1","1",1,"Cash $5","","",1'), ['$A,"1","1",1,"Cash $5","","",1']);
});
