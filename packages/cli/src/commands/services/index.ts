import type { Command } from '../../command.js';
import { SHOW_HELP } from '../../command.js';

export const servicesGroup: Command = {
  synopsis: 'Interact with services',
  help: () => `Usage: concord services <subcommand> [options] [args]

  This command has subcommands for interacting with services. The subcommands
  default to working with services registered with the local agent.

  Register a service from a definition file, or from flags:

      $ concord services register web.json
      $ concord services register -name=web -port=80

  Deregister a service by definition file or by ID:

      $ concord services deregister web.json
      $ concord services deregister -id=web`,
  run: async () => SHOW_HELP,
};
