import t from 'tap';
import { capturePath } from '../../../edge/rmonitor/testing/captures.ts';
import { runPitwall } from '../../testing/cli.ts';

const MOCK = capturePath('bradfier/Orbits_Mock_Session.txt');

t.test('pitwall score --report prints the table, JSON or Markdown for the captures given', async (t) => {
  const table = await runPitwall(['score', '--report', MOCK]);
  t.equal(table.code, 0, table.stderr);
  t.match(table.stdout, /bradfier\/Orbits_Mock_Session\.txt\s+run-25\s+race\s+yes\s+68\s+100\.00%/);
  t.match(table.stdout, /\| \*\*gap\*\* \(rows − agreeing rows\) \| 0 \| 0 \| 1 \| 0 \|/, 'the causes add up to the gap: none on $G, one lagging $H row');
  const json = JSON.parse((await runPitwall(['score', '--report', '--format', 'json', MOCK])).stdout);
  t.match(json.captures[0].sessions[0], { session: 'run-25', race: { records: 68, agree: 68 }, finalRace: { exact: true, cars: 6 } });
  t.match((await runPitwall(['score', '--report', '--format', 'markdown', MOCK])).stdout, /^\| capture \| session \|/);
});

t.test('pitwall score --report refuses what it cannot compare, with a clear message', async (t) => {
  const none = await runPitwall(['score', '--report']);
  t.not(none.code, 0);
  t.match(none.stderr, /give one or more RMonitor captures to --report/);
  const mode = await runPitwall(['score', '--report', '--mode', 'follow', MOCK]);
  t.match(mode.stderr, /no --mode/);
  const format = await runPitwall(['score', '--report', '--format', 'csv', MOCK]);
  t.match(format.stderr, /--format must be table, json or markdown/);
});
