import fs from 'node:fs';
import { parse } from 'yaml';
import { FLAGS, type Flag } from '../../actors/contracts/flags.ts';
import { assertSlug } from '../../actors/contracts/subjects.ts';
import type { FlagLampsConfig } from './flag-lamps.ts';
import type { LaneSensor } from './lane-sensors.ts';
import type { SerialSource } from './serial-reader.ts';
import type { StartLightsConfig } from './start-lights.ts';

/** `pitwall edge gpio --config FILE` (YAML), documented in the README under "GPIO lap sensors". */
export interface GpioConfig {
  track: string;
  device: string;
  /** The declared event and session the start lights open and start. */
  event?: string;
  session?: string;
  /** Added to every line number (sysfs numbering: 512 on Raspberry Pi kernels from 6.6, 0 before). */
  pinOffset: number;
  debounceMs: number;
  /** Reported on every passing: how far `atUs` may be from the true crossing. */
  precisionUs: number;
  /** Inputs are active low (a barrier that pulls the line to ground when interrupted). */
  activeLow: boolean;
  lanes: LaneSensor[];
  strobe?: { line: number; data: number[] };
  serial?: SerialSource;
  startLights?: StartLightsConfig;
  flagLamps?: FlagLampsConfig;
  /** Session clock ticks from the session.open on (ms; 0: none). */
  tickMs: number;
}

/** A config file that cannot be used; the message names the file and the field. */
export class GpioConfigError extends Error {
  override name = 'GpioConfigError';
}

type Obj = Record<string, unknown>;

export function readGpioConfig(file: string): GpioConfig {
  let doc: unknown;
  try {
    doc = parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new GpioConfigError(`${file}: ${(e as Error).message}`, { cause: e });
  }
  return parseGpioConfig(doc, file);
}

export function parseGpioConfig(doc: unknown, file = 'config'): GpioConfig {
  const fail = (field: string, what: string): never => {
    throw new GpioConfigError(`${file}: ${field}: ${what}`);
  };
  const obj = (v: unknown, field: string): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : fail(field, 'must be a mapping'));
  const int = (v: unknown, field: string, min = 0): number => (Number.isInteger(v) && (v as number) >= min ? (v as number) : fail(field, `must be an integer ≥ ${min}, got ${JSON.stringify(v)}`));
  const slug = (v: unknown, field: string): string => {
    if (typeof v !== 'string') return fail(field, 'must be a slug [a-z0-9-]+');
    try {
      return assertSlug(field, v);
    } catch (e) {
      return fail(field, (e as Error).message);
    }
  };
  const lines = (v: unknown, field: string): number[] => (Array.isArray(v) && v.length > 0 ? v.map((x, i) => int(x, `${field}[${i}]`)) : fail(field, 'must be a list of line numbers'));
  const opt = <T>(v: unknown, f: (v: unknown) => T): T | undefined => (v === undefined ? undefined : f(v));

  const root = obj(doc, 'the file');
  const known = ['track', 'device', 'event', 'session', 'pinOffset', 'debounceMs', 'precisionUs', 'activeLow', 'lanes', 'strobe', 'serial', 'startLights', 'flagLamps', 'tickMs'];
  for (const k of Object.keys(root)) if (!known.includes(k)) fail(k, `unknown setting (known: ${known.join(', ')})`);

  const lanes = (opt(root.lanes, (v) => (Array.isArray(v) ? v : fail('lanes', 'must be a list'))) ?? []).map((l, i) => {
    const o = obj(l, `lanes[${i}]`);
    return { lane: int(o.lane, `lanes[${i}].lane`, 1), line: int(o.line, `lanes[${i}].line`) };
  });
  if (new Set(lanes.map((l) => l.lane)).size !== lanes.length) fail('lanes', 'a lane is listed twice');

  const strobe = opt(root.strobe, (v) => {
    const o = obj(v, 'strobe');
    const data = lines(o.data, 'strobe.data');
    if (data.length > 16) fail('strobe.data', 'at most 16 data lines');
    return { line: int(o.line, 'strobe.line'), data };
  });

  const serial = opt(root.serial, (v): SerialSource => {
    if (v === 'stdin') return { stdin: true };
    if (typeof v !== 'string') return fail('serial', 'must be a device path, tcp://HOST:PORT or stdin');
    const tcp = /^tcp:\/\/([^:/]+):(\d+)$/.exec(v);
    if (tcp) return { tcp: { host: tcp[1]!, port: int(Number(tcp[2]), 'serial port', 1) } };
    return { path: v };
  });

  const startLights = opt(root.startLights, (v): StartLightsConfig => {
    const o = obj(v, 'startLights');
    const lamps = obj(o.lamps, 'startLights.lamps');
    const names = Object.keys(lamps);
    for (const n of names) int(lamps[n], `startLights.lamps.${n}`);
    const lampList = (x: unknown, field: string) =>
      (Array.isArray(x) ? x : fail(field, 'must be a list of lamp names')).map((n) => (typeof n === 'string' && names.includes(n) ? n : fail(field, `${JSON.stringify(n)} is not one of startLights.lamps (${names.join(', ')})`)));
    const steps = (Array.isArray(o.steps) ? o.steps : fail('startLights.steps', 'must be a list')).map((s, i) => {
      const so = obj(s, `startLights.steps[${i}]`);
      return { on: lampList(so.on, `startLights.steps[${i}].on`), ms: int(so.ms, `startLights.steps[${i}].ms`) };
    });
    const hold = obj(o.holdMs, 'startLights.holdMs');
    const holdMs = { min: int(hold.min, 'startLights.holdMs.min'), max: int(hold.max, 'startLights.holdMs.max') };
    if (holdMs.max < holdMs.min) fail('startLights.holdMs', 'max is below min');
    const button = typeof o.button === 'number' ? { line: int(o.button, 'startLights.button') } : { line: int(obj(o.button, 'startLights.button').line, 'startLights.button.line') };
    return {
      button: { ...button, activeLow: root.activeLow === true },
      lamps: lamps as Record<string, number>,
      steps,
      holdMs,
      green: lampList(o.green, 'startLights.green'),
      greenMs: int(o.greenMs ?? 5000, 'startLights.greenMs'),
    };
  });

  const flagLamps = opt(root.flagLamps, (v) => {
    const o = obj(v, 'flagLamps');
    const out: FlagLampsConfig = {};
    for (const [flag, l] of Object.entries(o)) {
      if (!(FLAGS as readonly string[]).includes(flag)) fail(`flagLamps.${flag}`, `not a flag (${FLAGS.join(', ')})`);
      out[flag as Flag] = typeof l === 'number' ? [int(l, `flagLamps.${flag}`)] : lines(l, `flagLamps.${flag}`);
    }
    return out;
  });

  if (lanes.length === 0 && !strobe && !serial) fail('lanes', 'no sensor: configure lanes, strobe or serial');
  // One role per line: an output on a sensor's line, or two sensors on one line, is a wiring mistake.
  const roles = new Map<number, string>();
  const claim = (line: number, role: string) => {
    const other = roles.get(line);
    if (other) fail(role, `line ${line} is already ${other}`);
    roles.set(line, role);
  };
  lanes.forEach((l, i) => claim(l.line, `lanes[${i}]`));
  if (strobe) [strobe.line, ...strobe.data].forEach((l, i) => claim(l, i === 0 ? 'strobe.line' : `strobe.data[${i - 1}]`));
  if (startLights) {
    claim(startLights.button.line, 'startLights.button');
    for (const [name, line] of Object.entries(startLights.lamps)) claim(line, `startLights.lamps.${name}`);
  }
  // A flag lamp may serve several flags: each line is claimed once.
  for (const line of new Set(Object.values(flagLamps ?? {}).flat())) claim(line, 'flagLamps');
  const event = opt(root.event, (v) => slug(v, 'event'));
  const session = opt(root.session, (v) => slug(v, 'session'));
  if (startLights && (!event || !session)) fail('startLights', 'need event and session (the declared session the green starts)');
  if (flagLamps && !session) fail('flagLamps', 'need session (whose flags the lamps follow)');
  const debounceMs = opt(root.debounceMs, (v) => (typeof v === 'number' && v >= 0 ? v : fail('debounceMs', 'must be a number ≥ 0'))) ?? 5;
  return {
    track: slug(root.track, 'track'),
    device: slug(root.device ?? 'gpio', 'device'),
    ...(event ? { event } : {}),
    ...(session ? { session } : {}),
    pinOffset: int(root.pinOffset ?? 0, 'pinOffset'),
    debounceMs,
    precisionUs: int(root.precisionUs ?? 1000, 'precisionUs', 1),
    activeLow: root.activeLow === true,
    lanes,
    ...(strobe ? { strobe } : {}),
    ...(serial ? { serial } : {}),
    ...(startLights ? { startLights } : {}),
    ...(flagLamps ? { flagLamps } : {}),
    tickMs: int(root.tickMs ?? 1000, 'tickMs'),
  };
}
