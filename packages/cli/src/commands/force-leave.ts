import type { Command } from '../command.js';
import { parseCommandLine } from '../flags.js';
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP, httpClient, messageOf } from '../http-flags.js';
import type { Io } from '../io.js';

const FLAGS = {
  prune: { kind: 'boolean' },
  wan: { kind: 'boolean' },
  ...CLIENT_FLAGS,
} as const;

const ONE_NODE = 'A single node name must be specified to force leave.';

export const forceLeave: Command = {
  synopsis: 'Forces a member of the cluster to enter the "left" state',
  help: () => `Usage: concord force-leave [options] name

  Forces a member of the cluster to enter the "left" state. Note that if
  the member is still actually alive, it will eventually rejoin the cluster.
  This command is most useful for cleaning out "failed" nodes that are never
  coming back. If you do not force leave a failed node, the cluster will
  attempt to reconnect to it for some period of time before eventually
  reaping it.

Command Options

  -prune            Remove the agent completely from the list of members.
  -wan              Exclusively leave the agent from the WAN pool.
${CLIENT_FLAGS_HELP}`,

  async run(args: readonly string[], io: Io): Promise<number> {
    const line = parseCommandLine(args, FLAGS, io, { min: 1, max: 1, missing: ONE_NODE, tooMany: ONE_NODE });
    if (!line) return 1;
    const { client } = httpClient(line.flags, io);
    try {
      await client.agent.forceLeave(line.args[0] as string, {
        prune: line.flags.bool('prune'),
        wan: line.flags.bool('wan'),
      });
    } catch (err) {
      io.err(`Error force leaving: ${messageOf(err)}`);
      return 1;
    }
    return 0;
  },
};
