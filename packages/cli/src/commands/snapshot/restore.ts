import { readFile } from 'node:fs/promises';
import type { Command } from '../../command.js';
import { parseCommandLine } from '../../flags.js';
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP, SERVER_FLAGS, SERVER_FLAGS_HELP, httpClient, messageOf } from '../../http-flags.js';
import type { Io } from '../../io.js';
import { rawRequest } from '../../raw-request.js';
import { FILE_ARG } from './file.js';

const FLAGS = { ...CLIENT_FLAGS, ...SERVER_FLAGS } as const;

export const snapshotRestore: Command = {
  synopsis: 'Restores snapshot of the server state',
  help: () => `Usage: concord snapshot restore [options] FILE

  Restores an atomic, point-in-time snapshot of the state of the servers
  which includes key/value entries, the service catalog, health checks and
  sessions. Everything the servers hold is replaced by the snapshot's content.

  This command is primarily intended to be used when recovering from a
  disaster, restoring into a fresh cluster of servers.

  To restore a snapshot from the file "backup.snap":

    $ concord snapshot restore backup.snap
${CLIENT_FLAGS_HELP}
${SERVER_FLAGS_HELP}`,

  async run(args: readonly string[], io: Io): Promise<number> {
    const line = parseCommandLine(args, FLAGS, io, FILE_ARG);
    if (!line) return 1;
    const http = httpClient(line.flags, io);
    let body: Buffer;
    try {
      body = await readFile(line.args[0] as string);
    } catch (err) {
      io.err(`Error opening snapshot file: ${messageOf(err)}`);
      return 1;
    }
    try {
      await rawRequest(http, { method: 'PUT', path: '/v1/snapshot', body, contentType: 'application/octet-stream' });
    } catch (err) {
      io.err(`Error restoring snapshot: ${messageOf(err)}`);
      return 1;
    }
    io.out('Restored snapshot');
    return 0;
  },
};
