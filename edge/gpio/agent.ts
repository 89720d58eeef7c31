import type { NatsConnection } from '@nats-io/transport-node';
import { startAgentHealth } from '../agent-health.ts';
import { createEdgeClock, type EdgeClock } from '../edge-clock.ts';
import { createEdgePublisher, type EdgeOutgoing, type EdgePublisher } from '../edge-publisher.ts';
import type { Outbox } from '../outbox/outbox.ts';
import type { GpioConfig } from './config.ts';
import type { Crossing } from './crossing.ts';
import { createCrossingStamp } from './crossing-stamp.ts';
import { followFlags } from './flag-lamps.ts';
import { watchLanes } from './lane-sensors.ts';
import type { Pins } from './pins.ts';
import { readSerial } from './serial-reader.ts';
import { createStartLights, type StartLights, type StartLightsDeps } from './start-lights.ts';
import { watchStrobe } from './strobe-reader.ts';

export interface GpioAgentDeps {
  nc: NatsConnection | Promise<NatsConnection>;
  pins: Pins;
  clock?: EdgeClock;
  outbox?: Outbox;
  log?: (line: string) => void;
  /** For the start lights' timers and hold (tests make them instant or fixed). */
  sleep?: StartLightsDeps['sleep'];
  random?: () => number;
}

export interface GpioAgentCounts {
  passings: number;
  bounces: number;
  jumpStarts: number;
  /** Sensor input rejected, by kind (`strobe-no-car`, `serial-line`). */
  errors: Record<string, number>;
}

export interface GpioAgent {
  publisher: EdgePublisher;
  /** Undefined without `startLights` in the config. */
  startLights: StartLights | undefined;
  counts(): GpioAgentCounts;
  stop(): Promise<void>;
}

/**
 * `pitwall edge gpio`: lap sensors on GPIO (wirings a, b, c of the README) publish one `passing` per crossing
 * (`source: 'gpio'`, the lane or car id as read, `precisionUs` from the config) through the edge outbox; start lights
 * open and start the configured session on `edge.<track>.<device>.session` and report jump starts there; flag lamps
 * follow the session's flags. Crossings are stamped by the edge clock in the sensor's callback, before any await.
 */
export function createGpioAgent(deps: GpioAgentDeps, cfg: GpioConfig): GpioAgent {
  const log = deps.log ?? (() => undefined);
  const clock = deps.clock ?? createEdgeClock();
  const publisher = createEdgePublisher({ nc: deps.nc, log, ...(deps.outbox ? { outbox: deps.outbox } : {}) }, { track: cfg.track, device: cfg.device });
  const stamp = createCrossingStamp(() => clock.nowUs(), { debounceUs: Math.round(cfg.debounceMs * 1000) });
  const counts = { passings: 0, jumpStarts: 0, errors: {} as Record<string, number> };
  const stops: (() => void)[] = [];

  const publish = (message: EdgeOutgoing) =>
    void publisher.publish(message).catch((e: unknown) => log(`gpio: reading not kept: ${(e as Error).message}`));
  const sensorError = (kind: string) => (message: string) => {
    counts.errors[kind] = (counts.errors[kind] ?? 0) + 1;
    log(`gpio: ${message}: skipped`);
  };

  let lights: StartLights | undefined;
  /** Lanes/car ids already reported as jumping in the current start sequence (one report each). */
  let jumped = new Set<string>();
  const onCrossing = (c: Crossing) => {
    counts.passings++;
    const read = 'lane' in c ? { lane: c.lane } : { carId: c.carId };
    if (lights?.phase() === 'sequence' && cfg.session) {
      const key = JSON.stringify(read);
      if (!jumped.has(key)) {
        jumped.add(key);
        counts.jumpStarts++;
        log(`gpio: jump start: ${'lane' in c ? `lane ${c.lane}` : `car id ${c.carId}`} crossed before the green`);
        publish({ kind: 'session', body: { type: 'jump-start', session: cfg.session, atUs: c.atUs, ...read } });
      }
    }
    publish({ kind: 'passing', body: { type: 'passing', atUs: c.atUs, precisionUs: cfg.precisionUs, source: 'gpio', ...read } });
  };

  if (cfg.lanes.length > 0) stops.push(watchLanes(deps.pins, stamp, { lanes: cfg.lanes, activeLow: cfg.activeLow }, onCrossing));
  if (cfg.strobe) stops.push(watchStrobe(deps.pins, stamp, { strobe: cfg.strobe.line, data: cfg.strobe.data, activeLow: cfg.activeLow }, onCrossing, sensorError('strobe-no-car')));
  if (cfg.serial) stops.push(readSerial(cfg.serial, stamp, onCrossing, sensorError('serial-line'), log));

  let ticker: NodeJS.Timeout | undefined;
  if (cfg.startLights && cfg.event && cfg.session) {
    const { event, session } = cfg;
    lights = createStartLights(
      { pins: deps.pins, nowUs: () => clock.nowUs(), log, ...(deps.sleep ? { sleep: deps.sleep } : {}), ...(deps.random ? { random: deps.random } : {}) },
      cfg.startLights,
      {
        onSequence(atUs) {
          jumped = new Set();
          publish({ kind: 'session', body: { type: 'session.open', session, event, atUs } });
          if (cfg.tickMs > 0 && !ticker) {
            ticker = setInterval(() => publish({ kind: 'session', body: { type: 'clock.tick', session, atUs: clock.nowUs() } }), cfg.tickMs);
          }
        },
        onGreen(atUs) {
          log(`gpio: green: ${cfg.track}/${session} starts`);
          publish({ kind: 'session', body: { type: 'session.start', session, atUs } });
        },
      },
    );
    stops.push(() => lights?.stop());
  }

  let stopped = false;
  if (cfg.flagLamps && cfg.session) {
    const { flagLamps, session } = cfg;
    void Promise.resolve(deps.nc).then((nc) => {
      if (stopped) return;
      const lamps = followFlags(nc, deps.pins, { track: cfg.track, session, lamps: flagLamps }, log);
      stops.push(lamps.stop);
    }, () => undefined);
  }

  const health = startAgentHealth(
    { nc: deps.nc, publisher, clock, log },
    { track: cfg.track, device: cfg.device, agent: 'gpio', extra: () => ({ ...counts, bounces: stamp.bounces(), startLights: lights?.phase() }) },
  );

  return {
    publisher,
    startLights: lights,
    counts: () => ({ ...counts, errors: { ...counts.errors }, bounces: stamp.bounces() }),
    async stop() {
      stopped = true;
      clearInterval(ticker);
      health.stop();
      for (const s of stops.splice(0)) s();
      health.publish();
      await publisher.stop();
    },
  };
}
