import t from 'tap';
import { createLogger, parseLogFormat } from './log.ts';

t.test('JSON lines carry time, level, service, message and the fields', async (t) => {
  const lines: string[] = [];
  const log = createLogger({ format: 'json', service: 'engine', write: (l) => lines.push(l), now: () => new Date('2026-11-24T12:00:00Z') });
  log('session sebring.race-1: restored', { session: 'race-1', track: 'sebring', streamSeq: 412 });
  log('consumer behind', { level: 'warn' });
  t.same(JSON.parse(lines[0]!), { time: '2026-11-24T12:00:00.000Z', level: 'info', service: 'engine', msg: 'session sebring.race-1: restored', session: 'race-1', track: 'sebring', streamSeq: 412 });
  t.equal(JSON.parse(lines[1]!).level, 'warn');
});

t.test('text is the line as it is', async (t) => {
  const lines: string[] = [];
  createLogger({ format: 'text', service: 'x', write: (l) => lines.push(l) })('hello', { session: 's' });
  t.same(lines, ['hello']);
  t.equal(parseLogFormat(undefined), 'text');
  t.throws(() => parseLogFormat('xml'), /text or json/);
});
