import { type Command, SHOW_HELP } from '../../command.js';

export const snapshotGroup: Command = {
  synopsis: 'Saves, restores and inspects snapshots of the server state',
  help: () => `Usage: concord snapshot <subcommand> [options] [args]

  This command has subcommands for saving, restoring, and inspecting the state
  of the servers for disaster recovery. These are atomic, point-in-time
  snapshots which include key/value entries, the service catalog, health
  checks and sessions.

  Create a snapshot:

      $ concord snapshot save backup.snap

  Restore a snapshot:

      $ concord snapshot restore backup.snap

  Inspect a snapshot:

      $ concord snapshot inspect backup.snap

  For more examples, ask for subcommand help.`,
  run: async () => SHOW_HELP,
};
