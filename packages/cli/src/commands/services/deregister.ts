import type { Command } from '../../command.js';
import { parseCommandLine } from '../../flags.js';
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP, SERVER_FLAGS, SERVER_FLAGS_HELP, httpClient, messageOf } from '../../http-flags.js';
import type { Io } from '../../io.js';
import { servicesFromFiles } from './service-files.js';

const FLAGS = { id: { kind: 'string' }, ...CLIENT_FLAGS, ...SERVER_FLAGS } as const;

export const servicesDeregister: Command = {
  synopsis: 'Deregister services with the local agent',
  help: () => `Usage: concord services deregister [options] [FILE...]

  Deregister one or more services that were previously registered with the
  local agent.

      $ concord services deregister web.json db.json

  The -id flag may be used to deregister a single service by ID:

      $ concord services deregister -id=web

  Services are deregistered from the local agent. This command must be run
  against the same agent where the service was registered.

Command Options

  -id=<id>          ID to delete. This must not be set if arguments are given.
${CLIENT_FLAGS_HELP}
${SERVER_FLAGS_HELP}`,

  async run(args: readonly string[], io: Io): Promise<number> {
    const line = parseCommandLine(args, FLAGS, io, {});
    if (!line) return 1;
    const f = line.flags;
    const files = line.args;
    const flagId = f.string('id');
    if (files.length === 0 && flagId === '') {
      io.err('Service deregistration requires at least one argument or -id.');
      return 1;
    }
    if (files.length > 0 && flagId !== '') {
      io.err('Service deregistration requires arguments or -id, not both.');
      return 1;
    }
    let targets: Array<{ id: string; name: string }>;
    if (files.length > 0) {
      try {
        targets = (await servicesFromFiles(files)).map((s) => ({ id: s.ID || s.Name, name: s.Name }));
      } catch (err) {
        io.err(`Error: ${messageOf(err)}`);
        return 1;
      }
    } else {
      targets = [{ id: flagId, name: '' }];
    }
    const { client } = httpClient(f, io);
    for (const { id, name } of targets) {
      if (id === '') continue;
      try {
        await client.agent.serviceDeregister(id);
      } catch (err) {
        io.err(`Error deregistering service "${name || id}": ${messageOf(err)}`);
        return 1;
      }
      io.out(`Deregistered service: ${id}`);
    }
    return 0;
  },
};
