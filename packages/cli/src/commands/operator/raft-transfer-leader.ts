import type { Command } from '../../command.js';
import { parseCommandLine } from '../../flags.js';
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP, SERVER_FLAGS, SERVER_FLAGS_HELP, httpClient, messageOf } from '../../http-flags.js';
import type { Io } from '../../io.js';

const FLAGS = {
  id: { kind: 'string' },
  ...CLIENT_FLAGS,
  ...SERVER_FLAGS,
} as const;

export const raftTransferLeader: Command = {
  synopsis: 'Transfer raft leadership to another server',
  help: () => `Usage: concord operator raft transfer-leader [options]

  Transfer raft leadership to the server with the given -id, or to the most
  up-to-date other voter when no -id is given.

Command Options

  -id=<id>          The ID of the server to transfer leadership to.
${CLIENT_FLAGS_HELP}
${SERVER_FLAGS_HELP}`,

  async run(args: readonly string[], io: Io): Promise<number> {
    const line = parseCommandLine(args, FLAGS, io);
    if (!line) return 1;
    const id = line.flags.string('id');
    const { client } = httpClient(line.flags, io);
    let ok: boolean;
    try {
      ok = await client.operator.raftTransferLeader(id || undefined);
    } catch (err) {
      io.err(`Error transferring leadership: ${messageOf(err)}`);
      return 1;
    }
    if (!ok) {
      io.err('Error transferring leadership: unknown error');
      return 1;
    }
    io.out('Success');
    return 0;
  },
};
