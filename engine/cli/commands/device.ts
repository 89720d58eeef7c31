import type { Command } from '../command.ts';
import { UsageError } from '../../errors.ts';
import { registerEdgeDevice } from '../../servers/edge-devices.ts';
import { dataDirOption, readLocalStack } from './admin.ts';

const addCommand: Command = {
  name: 'add',
  summary: 'give an edge device its own NATS user (publishes only edge.<track>.<device>.>)',
  help: `usage: pitwall device add TRACK DEVICE [--data-dir DIR]

Creates (or shows again) the NATS user of one edge device on the local stack: it may publish only
edge.TRACK.DEVICE.> and follow its track's flags and sessions. Prints the NATS address and credentials to give to
the agent: pitwall edge <agent> --nats URL --user USER --password PASSWORD.`,
  options: { ...dataDirOption },
  async run({ values, positionals }, { config, out }) {
    const [track, device] = positionals;
    if (!track || !device) throw new UsageError('TRACK and DEVICE are required');
    const dataDir = typeof values['data-dir'] === 'string' ? values['data-dir'] : config.dataDir;
    const stack = readLocalStack(dataDir);
    const credentials = await registerEdgeDevice({ dataDir, natsUrl: stack.nats, natsPid: stack.natsPid, track, device });
    out(`nats ${stack.nats}`);
    out(`user ${credentials.user}`);
    out(`password ${credentials.pass}`);
    return 0;
  },
};

/** `pitwall device …`: edge devices' NATS users. */
export const deviceCommand: Command = {
  name: 'device',
  summary: 'register edge devices (their own NATS users)',
  help: '',
  options: {},
  subcommands: [addCommand],
  run: async () => 2,
};
