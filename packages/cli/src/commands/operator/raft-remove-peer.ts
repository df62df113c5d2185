import type { RaftPeerSelector } from '@concord/api';
import type { Command } from '../../command.js';
import { parseCommandLine } from '../../flags.js';
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP, SERVER_FLAGS, SERVER_FLAGS_HELP, httpClient, messageOf } from '../../http-flags.js';
import type { Io } from '../../io.js';

const FLAGS = {
  address: { kind: 'string' },
  id: { kind: 'string' },
  ...CLIENT_FLAGS,
  ...SERVER_FLAGS,
} as const;

export const raftRemovePeer: Command = {
  synopsis: 'Remove a server from the Raft configuration',
  help: () => `Usage: concord operator raft remove-peer [options]

  Remove the server with given -address or -id from the Raft configuration.

  There are rare cases where a peer may be left behind in the Raft quorum even
  though the server is no longer present and known to the cluster. This command
  can be used to remove the failed server so that it no longer affects the Raft
  quorum. If the server still shows in the output of the "concord members"
  command, it is preferable to clean up by running "concord force-leave" instead
  of this command.

Command Options

  -address=<ip:port>
                    The address to remove from the Raft configuration.
  -id=<id>          The ID to remove from the Raft configuration.
${CLIENT_FLAGS_HELP}
${SERVER_FLAGS_HELP}`,

  async run(args: readonly string[], io: Io): Promise<number> {
    const line = parseCommandLine(args, FLAGS, io);
    if (!line) return 1;
    const address = line.flags.string('address');
    const id = line.flags.string('id');
    if (address === '' && id === '') {
      io.err('Error removing peer: an address or id is required for the peer to remove');
      return 1;
    }
    if (address !== '' && id !== '') {
      io.err('Error removing peer: cannot give both an address and id');
      return 1;
    }
    const peer: RaftPeerSelector = address !== '' ? { address } : { id };
    const { client } = httpClient(line.flags, io);
    try {
      await client.operator.raftRemovePeer(peer);
    } catch (err) {
      io.err(`Error removing peer: ${messageOf(err)}`);
      return 1;
    }
    io.out(address !== '' ? `Removed peer with address ${JSON.stringify(address)}` : `Removed peer with id ${JSON.stringify(id)}`);
    return 0;
  },
};
