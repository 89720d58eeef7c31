import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { GpioConfigError, parseGpioConfig, readGpioConfig } from './config.ts';
import { runPitwall } from '../../engine/testing/cli.ts';
import { GpioUnavailableError, openOnoffPins } from './onoff-pins.ts';

const README_EXAMPLE = path.join(import.meta.dirname, '..', '..', 'docs', 'examples', 'gpio.yaml');

t.test('the documented example config is valid', async (t) => {
  const cfg = readGpioConfig(README_EXAMPLE);
  t.equal(cfg.lanes.length, 4);
  t.equal(cfg.pinOffset, 512);
  t.same(cfg.startLights?.green, ['green']);
  t.same(cfg.flagLamps?.yellow, [20]);
});

t.test('bad configs are refused with the field that is wrong', async (t) => {
  const base = { track: 'club', lanes: [{ lane: 1, line: 17 }] };
  const bad: [unknown, RegExp][] = [
    [{ ...base, track: 'Club Track' }, /track: .*slug/],
    [{ ...base, lanes: [{ lane: 1, line: 17 }, { lane: 1, line: 27 }] }, /lanes: a lane is listed twice/],
    [{ ...base, lanes: [{ lane: 0, line: 17 }] }, /lanes\[0\]\.lane: must be an integer ≥ 1/],
    [{ track: 'club' }, /no sensor/],
    [{ ...base, pinOfset: 512 }, /pinOfset: unknown setting/],
    [{ ...base, flagLamps: { purple: 3 } }, /flagLamps\.purple: not a flag/],
    [{ ...base, event: 'e', session: 's', startLights: { button: 4, lamps: { red: 5 }, steps: [{ on: ['blue'], ms: 1 }], holdMs: { min: 0, max: 1 }, green: ['red'] } }, /steps\[0\]\.on: "blue" is not one of startLights\.lamps/],
    [{ ...base, startLights: { button: 4, lamps: { red: 5 }, steps: [], holdMs: { min: 0, max: 1 }, green: ['red'] } }, /need event and session/],
    [{ ...base, serial: 5 }, /serial: must be a device path/],
    [{ ...base, flagLamps: { green: [17] } }, /flagLamps: line 17 is already lanes\[0\]/],
    [{ ...base, strobe: { line: 4, data: [5, 4] } }, /strobe\.data\[1\]: line 4 is already strobe\.line/],
  ];
  for (const [doc, message] of bad) t.throws(() => parseGpioConfig(doc, 'gpio.yaml'), { name: 'GpioConfigError', message }, String(message));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gpio-cfg-'));
  t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const file = path.join(tmp, 'bad.yaml');
  fs.writeFileSync(file, 'track: [unclosed');
  t.throws(() => readGpioConfig(file), GpioConfigError);
});

t.test('real pins on a machine without GPIO: a clear GpioUnavailableError', { skip: fs.existsSync('/sys/class/gpio/export') ? 'this machine has sysfs GPIO' : false }, async (t) => {
  await t.rejects(openOnoffPins(0, () => undefined), GpioUnavailableError);
});

t.test('pitwall edge gpio: a bad config names the field; without GPIO the command says so', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gpio-cli-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const bad = path.join(dir, 'bad.yaml');
  fs.writeFileSync(bad, 'track: club\nlanes: [{lane: 1, line: 17}]\ndebounceMs: -1\n');
  const refused = await runPitwall(['edge', 'gpio', '--config', bad, '--data-dir', dir]);
  t.equal(refused.code, 2);
  t.match(refused.stderr, /bad\.yaml: debounceMs: must be a number ≥ 0/);
  const listed = await runPitwall(['edge', '--help']);
  t.match(listed.stdout + listed.stderr, /gpio\s+lap sensors, start lights and flag lamps/);
  if (fs.existsSync('/sys/class/gpio/export')) return;
  const noGpio = await runPitwall(['edge', 'gpio', '--config', README_EXAMPLE, '--data-dir', dir]);
  t.not(noGpio.code, 0);
  t.match(noGpio.stderr, /no accessible sysfs GPIO|onoff is not installed/);
});
