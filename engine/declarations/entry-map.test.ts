import t from 'tap';
import { readDeclarationFile } from './read.ts';
import { DEMO_EVENT_FILE } from '../demo.ts';
import { entryMatcher } from './entry-map.ts';

t.test('a reading matches its entry by car number, transponder, chip, lane or car id; anything else matches none', async (t) => {
  const demo = readDeclarationFile(DEMO_EVENT_FILE);
  const [a, b, c, d] = demo.entries;
  const declaration = {
    ...demo,
    entries: [{ ...a!, transponders: ['extra-1'] }, { ...b!, chips: ['E200-1', 'E200-2'] }, { ...c!, transponder: undefined, lane: 3 }, { ...d!, carId: 'car-7' }],
  };
  const carOf = entryMatcher(declaration);
  t.equal(carOf({ car: a!.number }), a!.number);
  t.equal(carOf({ transponder: a!.transponder! }), a!.number);
  t.equal(carOf({ transponder: 'extra-1' }), a!.number, 'a further transponder');
  t.equal(carOf({ chip: 'E200-2' }), b!.number);
  t.equal(carOf({ lane: 3 }), c!.number);
  t.equal(carOf({ carId: 'car-7' }), d!.number);
  for (const read of [{ car: 'nobody' }, { transponder: 'nobody' }, { chip: 'x' }, { lane: 9 }, { carId: 'x' }, {}]) t.equal(carOf(read), undefined, JSON.stringify(read));
});
