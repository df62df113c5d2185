import type { Command } from '../../command.js';
import { SHOW_HELP } from '../../command.js';

export const operatorGroup: Command = {
  synopsis: 'Provides cluster-level tools for operators',
  help: () => `Usage: concord operator <subcommand> [options]

  Provides cluster-level tools for operators, such as interacting with the Raft
  subsystem.

  Run concord operator <subcommand> with no arguments for help on that
  subcommand.`,
  run: async () => SHOW_HELP,
};

export const operatorRaftGroup: Command = {
  synopsis: 'Provides commands to interact with Raft',
  help: () => `Usage: concord operator raft <subcommand> [options]

  The Raft operator command is used to interact with the Raft subsystem. The
  command can be used to verify Raft peers or in rare cases to recover quorum by
  removing invalid peers.

  List Raft peers:

      $ concord operator raft list-peers

  Remove a peer by its server ID:

      $ concord operator raft remove-peer -id=<id>

  Transfer leadership to another server:

      $ concord operator raft transfer-leader [-id=<id>]`,
  run: async () => SHOW_HELP,
};
