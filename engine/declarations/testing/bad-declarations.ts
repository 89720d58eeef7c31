/**
 * Declarations that must be refused, each with the exact problems the validator reports. `schema` says whether
 * docs/event.schema.json refuses it too: the schema checks shapes; references and uniqueness only the validator.
 */
export interface BadDeclaration {
  name: string;
  value: unknown;
  problems: string[];
  schema: 'refuses' | 'accepts';
}

/** A small valid declaration using every field of the format. */
export function fullDeclaration(): Record<string, any> {
  return {
    track: 'club-ring',
    event: 'summer-cup',
    name: 'Summer Cup',
    timeZone: 'Europe/Berlin',
    private: false,
    classes: [{ id: 'gt3', name: 'GT3' }, { id: 'cup', name: 'Cup' }],
    sessions: [
      { id: 'q1', name: 'Qualifying', type: 'qualifying', finish: { timeMs: 900_000 }, start: 'individual',
        bestLap: { excludeYellow: true, excludeLap1: true, excludePit: true }, minLapMs: 20_000 },
      { id: 'r1', name: 'Race', type: 'race', finish: { timeMs: 1_800_000, thenLeaderLap: true }, classes: ['gt3', 'cup'], start: 'rolling' },
      { id: 'r2', name: 'Sprint', type: 'race', finish: { laps: 10 }, start: 'standing' },
    ],
    entries: [
      { number: '05', name: 'Jo Tanaka', class: 'gt3', transponder: '1002675', transponders: ['2002675'], team: 'Tanaka Racing', drivers: ['Ann Tanaka'] },
      { number: '7', name: 'Eva Berger', class: 'cup', chips: ['E200-01', 'E200-02'], lane: 2, carId: 'car-7', riderDevice: 'phone-eva' },
    ],
    timingLines: [
      { id: 'sf', kind: 'start-finish', loop: 'loop-1' },
      { id: 'pit-in', kind: 'pit-in', loop: 'loop-2' },
      { id: 's1', kind: 'sector', points: [[52.1, 13.2], [52.1005, 13.2004]] },
    ],
    marks: [{ id: 'turn-1', name: 'Turn 1', lat: 52.1002, lon: 13.2011 }, { id: 'buoy-2', lat: 52.1008, lon: 13.2 }],
    gps: { maxSpeedMps: 25 },
  };
}

const bad = (name: string, change: (d: Record<string, any>) => unknown, problems: string[], schema: 'refuses' | 'accepts' = 'refuses'): BadDeclaration => {
  const d = fullDeclaration();
  const value = change(d) ?? d;
  return { name, value, problems, schema };
};

export const BAD_DECLARATIONS: BadDeclaration[] = [
  bad('not an object', () => ['a list'], ['the declaration must be an object']),
  bad('missing top-level fields', (d) => ({ track: d.track }), [
    'event must be a slug [a-z0-9-]+',
    'name must be a non-empty string',
    'classes must be a list',
    'sessions must be a list',
    'entries must be a list',
  ]),
  bad('bad slugs, an unknown field, a bad time zone, private not boolean', (d) => {
    Object.assign(d, { track: 'Club Ring', event: 'summer.cup', timeZone: 'Mars/Olympus', private: 'yes', sponsor: 'x' });
  }, [
    'sponsor is not a known field',
    'track must be a slug [a-z0-9-]+',
    'event must be a slug [a-z0-9-]+',
    'timeZone must be an IANA time zone (e.g. Europe/London)',
    'private must be true or false',
  ]),
  bad('a class declared twice', (d) => void d.classes.push({ id: 'gt3', name: 'GT3 again' }), [
    "classes[2].id 'gt3' is declared twice",
  ], 'accepts'),
  bad('bad finish rules', (d) => {
    d.sessions[0].finish = { laps: 0 };
    d.sessions[1].finish = { laps: 10, timeMs: 60_000 };
    d.sessions[2].finish = { laps: 10, thenLeaderLap: true };
  }, [0, 1, 2].map((i) => `sessions[${i}].finish must be {laps: N}, {timeMs: N} or {timeMs: N, thenLeaderLap: true|false} with a positive integer N`)),
  bad('bad session options', (d) => {
    Object.assign(d.sessions[0], { type: 'sprint', start: 'flying', bestLap: { excludeYellow: 'yes', excludeSlow: true }, minLapMs: -5, grid: [] });
  }, [
    'sessions[0].grid is not a known field',
    'sessions[0].type must be one of practice, qualifying, race',
    'sessions[0].start must be one of standing, rolling, individual',
    'sessions[0].bestLap.excludeSlow is not a known field',
    'sessions[0].bestLap.excludeYellow must be true or false',
    'sessions[0].minLapMs must be a positive integer',
  ]),
  bad('a session id twice, and an undeclared class in a session', (d) => {
    d.sessions[2].id = 'r1';
    d.sessions[1].classes = ['gt3', 'gt5', 'gt3'];
  }, [
    "sessions[1].classes[1] 'gt5' is not a declared class",
    "sessions[1].classes[2] 'gt3' is declared twice",
    "sessions[2].id 'r1' is declared twice",
  ], 'accepts'),
  bad('bad entry fields', (d) => {
    Object.assign(d.entries[0], { number: 5, name: '', transponders: '2002675', drivers: [''], nickname: 'J' });
    Object.assign(d.entries[1], { chips: [''], lane: 0, carId: '', riderDevice: 7, team: '' });
  }, [
    'entries[0].nickname is not a known field',
    'entries[0].number must be a string of 1-6 letters or digits (quote it: "05" is not 5)',
    'entries[0].name must be a non-empty string',
    'entries[0].transponders must be a list',
    'entries[0].drivers[0] must be a non-empty string',
    'entries[1].chips[0] must be a non-empty string',
    'entries[1].lane must be a positive integer',
    'entries[1].carId must be a non-empty string',
    'entries[1].riderDevice must be a non-empty string',
    'entries[1].team must be a non-empty string',
  ]),
  bad('identifiers that belong to two cars, an undeclared class, a number twice', (d) => {
    d.entries.push(
      { number: '05', name: 'Twin', class: 'gt5', transponder: '2002675' },
      { number: '8', name: 'Copy', class: 'cup', transponders: ['1002675'], chips: ['E200-02'], lane: 2, carId: 'car-7', riderDevice: 'phone-eva' },
    );
  }, [
    "entries[2].class 'gt5' is not a declared class",
    "entries[2].number '05' is declared twice",
    "entries[2].transponder '2002675' already belongs to car 05",
    "entries[3].transponders[0] '1002675' already belongs to car 05",
    "entries[3].chips[0] 'E200-02' already belongs to car 7",
    "entries[3].lane '2' already belongs to car 7",
    "entries[3].carId 'car-7' already belongs to car 7",
    "entries[3].riderDevice 'phone-eva' already belongs to car 7",
  ], 'accepts'),
  bad('bad timing lines', (d) => {
    d.timingLines = [
      { id: 'SF', kind: 'finish', loop: '' },
      { id: 's1', kind: 'sector', points: [[95, 13.2], [52.1, 13.2]] },
      { id: 's2', kind: 'sector', points: [[52.1, 13.2]], width: 3 },
      'sf',
    ];
  }, [
    'timingLines[0].id must be a slug [a-z0-9-]+',
    'timingLines[0].kind must be one of start-finish, pit-in, pit-out, sector',
    'timingLines[0].loop must be a non-empty string',
    'timingLines[1].points must be two [lat, lon] points (lat -90..90, lon -180..180)',
    'timingLines[2].width is not a known field',
    'timingLines[2].points must be two [lat, lon] points (lat -90..90, lon -180..180)',
    'timingLines[3] must be an object',
  ]),
  bad('two start-finish lines, a line id twice', (d) => {
    d.timingLines.push({ id: 'sf', kind: 'start-finish' }, { id: 'sf2', kind: 'start-finish' });
  }, [
    "timingLines[3].id 'sf' is declared twice",
    "timingLines[3] is a second start-finish line (the first is 'sf')",
    "timingLines[4] is a second start-finish line (the first is 'sf')",
  ], 'accepts'),
  bad('marks and gps of the wrong shape', (d) => {
    d.marks = [{ id: 'Turn 1', lat: 91, lon: 13.2 }, { id: 'b', name: '', lon: 13.2, depth: 3 }, 'm'];
    d.gps = { maxSpeedMps: 0, smoothing: true };
  }, [
    'marks[0].id must be a slug [a-z0-9-]+',
    'marks[0] needs lat (-90..90) and lon (-180..180) as numbers',
    'marks[1].depth is not a known field',
    'marks[1].name must be a non-empty string',
    'marks[1] needs lat (-90..90) and lon (-180..180) as numbers',
    'marks[2] must be an object',
    'gps.smoothing is not a known field',
    'gps.maxSpeedMps must be a positive number (m/s)',
  ]),
  bad('a GPS line of one point twice, a mark id twice', (d) => {
    d.timingLines[2].points = [[52.1, 13.2], [52.1, 13.2]];
    d.marks.push({ id: 'turn-1', lat: 52.1, lon: 13.2 });
  }, [
    'timingLines[2].points are the same point: a line needs two',
    "marks[2].id 'turn-1' is declared twice",
  ], 'accepts'),
];
