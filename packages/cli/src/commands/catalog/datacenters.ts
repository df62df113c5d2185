import type { Command } from '../../command.js';
import { parseCommandLine } from '../../flags.js';
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP, httpClient, messageOf } from '../../http-flags.js';
import type { Io } from '../../io.js';

const FLAGS = { ...CLIENT_FLAGS } as const;

export const catalogDatacenters: Command = {
  synopsis: 'Lists all known datacenters',
  help: () => `Usage: concord catalog datacenters [options]

  Retrieves the list of all known datacenters. This datacenters are sorted in
  ascending order based on the estimated median round trip time from the servers
  in this datacenter to the servers in the other datacenters.

  List all datacenters:

      $ concord catalog datacenters

  For a full list of options and examples, please see the documentation.
${CLIENT_FLAGS_HELP}`,

  async run(args: readonly string[], io: Io): Promise<number> {
    const line = parseCommandLine(args, FLAGS, io);
    if (!line) return 1;
    const { client } = httpClient(line.flags, io);
    let dcs: string[];
    try {
      dcs = await client.catalog.datacenters();
    } catch (err) {
      io.err(`Error listing datacenters: ${messageOf(err)}`);
      return 1;
    }
    if (dcs.length === 0) {
      io.err('No datacenters found');
      return 1;
    }
    for (const dc of dcs) io.out(dc);
    return 0;
  },
};
