import type { Command } from '../../command.js';
import { SHOW_HELP } from '../../command.js';

export const kvGroup: Command = {
  synopsis: 'Interact with the key-value store',
  help: () => `Usage: concord kv <subcommand> [options] [args]

  This command has subcommands for interacting with the key-value store. Here
  are some simple examples, and more detailed examples are available in the
  subcommands or the documentation.

  Create or update the key named "redis/config/connections" to the value "5":

      $ concord kv put redis/config/connections 5

  Read this value back:

      $ concord kv get redis/config/connections

  Or get detailed key information:

      $ concord kv get -detailed redis/config/connections

  Finally, delete the key:

      $ concord kv delete redis/config/connections

  For more examples, ask for subcommand help or view the documentation.`,
  run: async () => SHOW_HELP,
};
