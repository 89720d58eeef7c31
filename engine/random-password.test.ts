import t from 'tap';
import { randomPassword } from './random-password.ts';

t.test('passwords are letters and digits (never an option-like leading dash), of the asked length, all different', async (t) => {
  const many = Array.from({ length: 2000 }, () => randomPassword());
  t.ok(many.every((p) => /^[A-Za-z0-9]{32}$/.test(p)), 'letters and digits, 32 long');
  t.equal(new Set(many).size, many.length, 'no repeats');
  t.match(randomPassword(16), /^[A-Za-z0-9]{16}$/);
});
