import type { Command } from '../command.js';
import { parseCommandLine } from '../flags.js';
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP, httpClient, messageOf } from '../http-flags.js';
import type { Io } from '../io.js';

export const leave: Command = {
  synopsis: 'Gracefully leaves the cluster and shuts down',
  help: () => `Usage: concord leave [options]

  Causes the agent to gracefully leave the cluster and shut down.
${CLIENT_FLAGS_HELP}`,

  async run(args: readonly string[], io: Io): Promise<number> {
    const line = parseCommandLine(args, CLIENT_FLAGS, io, {
      max: 0,
      tooMany: (given) => `Error found unexpected args: [${given.join(' ')}]`,
    });
    if (!line) return 1;
    const { client } = httpClient(line.flags, io);
    try {
      await client.agent.leave();
    } catch (err) {
      io.err(`Error leaving: ${messageOf(err)}`);
      return 1;
    }
    io.out('Graceful leave complete');
    return 0;
  },
};
