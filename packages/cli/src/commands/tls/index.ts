import { type Command, SHOW_HELP } from '../../command.js';

export const tlsGroup: Command = {
  synopsis: 'Builtin helpers for creating CAs and certificates',
  help: () => `Usage: concord tls <subcommand> [options] [filename-prefix]

  This command has subcommands for interacting with Concord's TLS:
  a CA for the cluster, and certificates signed by it for servers,
  client agents and the CLI.

  Create a CA

    $ concord tls ca create

  Create a server certificate

    $ concord tls cert create -server

  Create a client agent certificate

    $ concord tls cert create -client

  For more examples, ask for subcommand help.`,
  run: async () => SHOW_HELP,
};

export const tlsCaGroup: Command = {
  synopsis: 'Helpers for CAs',
  help: () => `Usage: concord tls ca <subcommand> [options]

  This command has subcommands for interacting with certificate authorities.

  Create a CA

    $ concord tls ca create`,
  run: async () => SHOW_HELP,
};

export const tlsCertGroup: Command = {
  synopsis: 'Helpers for certificates',
  help: () => `Usage: concord tls cert <subcommand> [options]

  This command has subcommands for interacting with certificates.

  Create a server certificate

    $ concord tls cert create -server

  Create a client certificate

    $ concord tls cert create -client`,
  run: async () => SHOW_HELP,
};
