import { ApiError } from '@concord/api';
import type { Command } from '../command.js';
import { parseCommandLine } from '../flags.js';
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP, httpClient, messageOf } from '../http-flags.js';
import type { Io } from '../io.js';

const FLAGS = {
  wan: { kind: 'boolean' },
  ...CLIENT_FLAGS,
} as const;

export const join: Command = {
  synopsis: 'Tell the agent to join a cluster',
  help: () => `Usage: concord join [options] address ...

  Tells a running agent (with "concord agent") to join the cluster
  by specifying at least one existing member.

Command Options

  -wan              Joins a server to another server in the WAN pool.
${CLIENT_FLAGS_HELP}`,

  async run(args: readonly string[], io: Io): Promise<number> {
    const line = parseCommandLine(args, FLAGS, io, {
      min: 1,
      missing: 'At least one address to join must be specified.',
    });
    if (!line) return 1;
    const { client } = httpClient(line.flags, io);
    const wan = line.flags.bool('wan');
    let joined = 0;
    for (const address of line.args) {
      try {
        await client.agent.join(address, { wan });
        joined++;
      } catch (err) {
        io.err(`Error joining address '${address}': ${messageOf(err)}`);
        // The agent itself is unreachable: no other address can do better.
        if (!(err instanceof ApiError)) return 1;
      }
    }
    if (joined === 0) {
      io.err('Failed to join any nodes.');
      return 1;
    }
    io.out(`Successfully joined cluster by contacting ${joined} nodes.`);
    return 0;
  },
};
