import type { Command } from '../../engine/cli/command.ts';
import { subjects } from '../../actors/contracts/subjects.ts';
import { AGENT_OPTIONS_HELP, openAgentProcess, tcpAgentOptions, tcpAgentTarget } from '../agent-process.ts';
import { createRmonitorAgent } from './agent.ts';

export const DEFAULT_RMONITOR_PORT = 50000;

export const rmonitorCommand: Command = {
  name: 'rmonitor',
  summary: 'read an RMonitor scoreboard feed (Orbits) over TCP and publish its records',
  help: `usage: pitwall edge rmonitor --track T --device D --host H [--port P] [--data-dir DIR]
                              [--nats URL --user U --password P] [--outbox DIR]

Connects to an RMonitor scoreboard feed (default port ${DEFAULT_RMONITOR_PORT}), reconnects with backoff when it drops,
and publishes every line, parsed, to edge.<track>.<device>.rmon (JetStream, message id device:boot:seq), through an
outbox on disk: lines wait there while NATS is unreachable and leave it only when JetStream acknowledged them.
Health (feed, clock, outbox) goes to edge.<track>.<device>.health every 5 s and on every connect and disconnect.
NATS access: --nats/--user/--password (or PITWALL_NATS_URL/_USER/_PASSWORD) for a device in the field; otherwise
the device user is created in the local stack's data directory (a running 'pitwall up').

options:
  --port P          the feed's port (default ${DEFAULT_RMONITOR_PORT})
${AGENT_OPTIONS_HELP}`,
  options: tcpAgentOptions(DEFAULT_RMONITOR_PORT),
  async run({ values }, { config, out, err, stopRequested }) {
    const { track, device, host, port } = tcpAgentTarget(values);
    const rmonSubject = subjects.edge(track, device, 'rmon'); // also checks that track and device are slugs
    const edge = await openAgentProcess(values, config, { track, device, name: 'rmonitor', log: err });
    const agent = createRmonitorAgent({ nc: edge.nc, log: err, clock: edge.clock, outbox: edge.outbox }, { track, device, host, port });
    out(`rmonitor ${host}:${port} → ${rmonSubject}`);
    const signal = await stopRequested;
    err(`pitwall edge rmonitor: ${signal}, stopping`);
    await agent.stop();
    await edge.close();
    return 0;
  },
};
