import type { Command } from '../command.js';
import { parseCommandLine } from '../flags.js';
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP, httpClient, messageOf } from '../http-flags.js';
import type { Io } from '../io.js';

export const reload: Command = {
  synopsis: 'Triggers the agent to reload configuration files',
  help: () => `Usage: concord reload

  Causes the agent to reload configurations. This can be used instead
  of sending the SIGHUP signal to the agent.
${CLIENT_FLAGS_HELP}`,

  async run(args: readonly string[], io: Io): Promise<number> {
    const line = parseCommandLine(args, CLIENT_FLAGS, io, {
      max: 0,
      tooMany: (given) => `Error found unexpected args: [${given.join(' ')}]`,
    });
    if (!line) return 1;
    const { client } = httpClient(line.flags, io);
    try {
      await client.agent.reload();
    } catch (err) {
      io.err(`Error reloading: ${messageOf(err)}`);
      return 1;
    }
    io.out('Configuration reload triggered');
    return 0;
  },
};
