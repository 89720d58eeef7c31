import type { Command } from '../../engine/cli/command.ts';
import { UsageError } from '../../engine/errors.ts';
import { AGENT_OPTIONS, AGENT_OPTIONS_HELP, openAgentProcess } from '../agent-process.ts';
import { createGpioAgent } from './agent.ts';
import { GpioConfigError, readGpioConfig } from './config.ts';
import { openOnoffPins } from './onoff-pins.ts';

export const gpioCommand: Command = {
  name: 'gpio',
  summary: 'lap sensors, start lights and flag lamps on a Raspberry Pi GPIO header',
  help: `usage: pitwall edge gpio --config FILE.yaml [--data-dir DIR] [--nats URL --user U --password P] [--outbox DIR]

Reads lap sensors on GPIO — one light barrier per lane, a car id on parallel lines latched by a strobe, or a serial
car-id sensor — and publishes one passing per crossing (lane or car id as read, with precisionUs) to
edge.<track>.<device>.passing through an outbox on disk. Optional start lights (a button starts the configured
sequence; the green starts the session; crossings before it are reported as jump starts) and flag lamps that follow
the session's flags. The configuration file is described in the README ("Track sensors", "GPIO lap sensors").
Needs the optional package onoff and sysfs GPIO (a Raspberry Pi).

${AGENT_OPTIONS_HELP}`,
  options: {
    config: { type: 'string' },
    ...AGENT_OPTIONS,
  },
  async run({ values }, { config, out, err, stopRequested }) {
    if (typeof values.config !== 'string') throw new UsageError('--config FILE.yaml is required');
    let cfg;
    try {
      cfg = readGpioConfig(values.config);
    } catch (e) {
      if (e instanceof GpioConfigError) throw new UsageError(e.message);
      throw e;
    }
    const pins = await openOnoffPins(cfg.pinOffset, err);
    const edge = await openAgentProcess(values, config, { track: cfg.track, device: cfg.device, name: 'gpio', log: err });
    const agent = createGpioAgent({ nc: edge.nc, pins, clock: edge.clock, outbox: edge.outbox, log: err }, cfg);
    const sensors = [cfg.lanes.length ? `${cfg.lanes.length} lanes` : '', cfg.strobe ? `car id on ${cfg.strobe.data.length} lines` : '', cfg.serial ? 'serial car ids' : ''].filter(Boolean).join(', ');
    out(`gpio ${cfg.track}/${cfg.device}: ${sensors}${cfg.startLights ? `; start lights for ${cfg.session}` : ''}${cfg.flagLamps ? '; flag lamps' : ''}`);
    const signal = await stopRequested;
    err(`pitwall edge gpio: ${signal}, stopping`);
    await agent.stop();
    pins.close();
    await edge.close();
    return 0;
  },
};
