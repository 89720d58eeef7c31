import type { Command } from '../../engine/cli/command.ts';
import { subjects } from '../../actors/contracts/subjects.ts';
import { AGENT_OPTIONS_HELP, openAgentProcess, tcpAgentOptions, tcpAgentTarget } from '../agent-process.ts';
import { createP3Agent, DEFAULT_P3_PORT } from './agent.ts';

export const p3Command: Command = {
  name: 'p3',
  summary: 'read a MYLAPS/AMB P3 decoder over TCP and publish its passings by transponder',
  help: `usage: pitwall edge p3 --track T --device D --host H [--port P] [--data-dir DIR]
                         [--nats URL --user U --password P] [--outbox DIR]

Connects to a P3 decoder (default port ${DEFAULT_P3_PORT}), reconnects with backoff when it drops, and publishes each
PASSING as a passing by transponder at the decoder's own time (RTC_TIME, 1 ms) to edge.<track>.<device>.passing, and
every frame (STATUS, PASSING, or why it was rejected: framing, escape, length, CRC) to edge.<track>.<device>.raw,
through an outbox on disk. A PASSING the decoder sends again (number and time not above the last) is published once.
Health (decoder link, frame and error counts, decoder clock offset, outbox) goes to edge.<track>.<device>.health.

options:
  --port P          the decoder's port (default ${DEFAULT_P3_PORT})
${AGENT_OPTIONS_HELP}`,
  options: tcpAgentOptions(DEFAULT_P3_PORT),
  async run({ values }, { config, out, err, stopRequested }) {
    const { track, device, host, port } = tcpAgentTarget(values);
    const passingSubject = subjects.edge(track, device, 'passing'); // also checks that track and device are slugs
    const edge = await openAgentProcess(values, config, { track, device, name: 'p3', log: err });
    const agent = createP3Agent({ nc: edge.nc, log: err, clock: edge.clock, outbox: edge.outbox }, { track, device, host, port });
    out(`p3 ${host}:${port} → ${passingSubject}`);
    const signal = await stopRequested;
    err(`pitwall edge p3: ${signal}, stopping`);
    await agent.stop();
    await edge.close();
    return 0;
  },
};
