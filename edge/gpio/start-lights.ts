import type { Bit, OutputPin, Pins } from './pins.ts';

export interface StartLightsConfig {
  /** The start button (an input line; a press is its rising edge). */
  button: { line: number; activeLow?: boolean };
  /** Lamp names → output lines. */
  lamps: Record<string, number>;
  /** The sequence before the hold: each step lights exactly these lamps for `ms`. */
  steps: { on: string[]; ms: number }[];
  /** After the last step its lamps stay lit for a random time in [min, max] ms, so nobody can anticipate the green. */
  holdMs: { min: number; max: number };
  /** The lamps lit at the green, for `greenMs`; then every lamp is off. */
  green: string[];
  greenMs: number;
}

export type StartPhase = 'idle' | 'sequence' | 'green';

export interface StartLightsDeps {
  pins: Pins;
  /** The edge clock, µs (stamps the press and the green). */
  nowUs: () => number;
  /** Default setTimeout; resolves early (rejects) when the signal aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** In [0, 1): picks the hold. */
  random?: () => number;
  log?: (line: string) => void;
}

export interface StartLightsHandlers {
  /** The button was pressed while idle: the sequence begins (lane crossings from now to the green are jump starts). */
  onSequence(atUs: number): void;
  /** The green lamps were switched on at `atUs`. */
  onGreen(atUs: number): void;
}

export interface StartLights {
  phase(): StartPhase;
  /** Presses the button in software (the same as the GPIO button). */
  press(): void;
  stop(): void;
}

const defaultSleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });

/**
 * Start lights driven by a button: a press while idle runs the configured steps, holds the last one a random time,
 * switches to green (stamped with the edge clock right after the lamps are written) and after `greenMs` turns every
 * lamp off. Presses during a sequence are ignored (logged). Only the sequence's timing uses timers; what the race sees
 * is the stamped green.
 */
export function createStartLights(deps: StartLightsDeps, cfg: StartLightsConfig, handlers: StartLightsHandlers): StartLights {
  const sleep = deps.sleep ?? defaultSleep;
  const random = deps.random ?? Math.random;
  const log = deps.log ?? (() => undefined);
  const outputs = new Map<string, OutputPin>(Object.entries(cfg.lamps).map(([name, line]) => [name, deps.pins.output(line)]));
  const show = (lit: string[]) => {
    for (const [name, pin] of outputs) pin.write((lit.includes(name) ? 1 : 0) as Bit);
  };
  show([]);
  const stopping = new AbortController();
  let phase: StartPhase = 'idle';

  const run = async () => {
    const signal = stopping.signal;
    for (const step of cfg.steps) {
      show(step.on);
      await sleep(step.ms, signal);
    }
    await sleep(cfg.holdMs.min + Math.floor(random() * (cfg.holdMs.max - cfg.holdMs.min + 1)), signal);
    show(cfg.green);
    phase = 'green';
    handlers.onGreen(deps.nowUs());
    await sleep(cfg.greenMs, signal);
    show([]);
    phase = 'idle';
  };

  const press = () => {
    const atUs = deps.nowUs();
    if (phase !== 'idle' || stopping.signal.aborted) {
      log(`start lights: button pressed during the ${phase} phase: ignored`);
      return;
    }
    phase = 'sequence';
    log('start lights: sequence begins');
    handlers.onSequence(atUs);
    run().catch(() => undefined); // aborted by stop()
  };

  const button = deps.pins.input(cfg.button.line, { edge: 'rising', ...(cfg.button.activeLow === undefined ? {} : { activeLow: cfg.button.activeLow }) });
  button.watch(press);
  return {
    phase: () => phase,
    press,
    stop() {
      stopping.abort(new Error('stopped'));
      show([]);
      button.close();
    },
  };
}
