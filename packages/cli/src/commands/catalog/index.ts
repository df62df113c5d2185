import type { Command } from '../../command.js';
import { SHOW_HELP } from '../../command.js';

export const catalogGroup: Command = {
  synopsis: 'Interact with the catalog',
  help: () => `Usage: concord catalog <subcommand> [options] [args]

  This command has subcommands for interacting with the catalog: the cluster's
  registry of nodes and services.

  List all nodes:

      $ concord catalog nodes

  List all services, with their tags:

      $ concord catalog services -tags

  For more examples, ask for subcommand help or view the documentation.`,
  run: async () => SHOW_HELP,
};
