import { gpioCommand } from '../../../edge/gpio/command.ts';
import { simCommand } from '../../../edge/sim/command.ts';
import { replayJsonlCommand } from '../../../edge/jsonl/command.ts';
import { p3Command } from '../../../edge/p3/command.ts';
import { rfidCommand } from '../../../edge/rfid/command.ts';
import { rmonitorCommand } from '../../../edge/rmonitor/command.ts';
import type { Command } from '../command.ts';
import { gpsCommand } from './edge-gps.ts';

/**
 * `pitwall edge <agent> …`: the track-side agents, each a Command of its own. Add an agent by listing it here.
 */
const agents: Command[] = [simCommand, rmonitorCommand, replayJsonlCommand, gpioCommand, p3Command, rfidCommand, gpsCommand];

export const edgeCommand: Command = {
  name: 'edge',
  summary: 'run a track-side agent that publishes readings to NATS as its own edge device',
  help: '',
  options: {},
  subcommands: agents,
  run: async () => 2, // never called: main.ts runs the agent
};
