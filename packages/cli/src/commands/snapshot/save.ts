import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Command } from '../../command.js';
import { parseCommandLine } from '../../flags.js';
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP, SERVER_FLAGS, SERVER_FLAGS_HELP, httpClient, messageOf } from '../../http-flags.js';
import type { Io } from '../../io.js';
import { rawRequest } from '../../raw-request.js';
import { FILE_ARG, decodeSnapshot } from './file.js';

const FLAGS = { ...CLIENT_FLAGS, ...SERVER_FLAGS } as const;

export const snapshotSave: Command = {
  synopsis: 'Saves snapshot of the server state',
  help: () => `Usage: concord snapshot save [options] FILE

  Retrieves an atomic, point-in-time snapshot of the state of the servers
  which includes key/value entries, the service catalog, health checks and
  sessions. The file is written under a temporary name, read back and
  verified, then renamed into place.

  To create a snapshot from the leader server and save it to "backup.snap":

    $ concord snapshot save backup.snap

  To create a potentially stale snapshot from any available server (useful if
  no leader is available):

    $ concord snapshot save -stale backup.snap
${CLIENT_FLAGS_HELP}
${SERVER_FLAGS_HELP}`,

  async run(args: readonly string[], io: Io): Promise<number> {
    const line = parseCommandLine(args, FLAGS, io, FILE_ARG);
    if (!line) return 1;
    const file = line.args[0] as string;
    const http = httpClient(line.flags, io);
    let body: Buffer;
    let index: string;
    try {
      const res = await rawRequest(http, { method: 'GET', path: '/v1/snapshot', params: { stale: http.stale } });
      body = res.body;
      index = res.headers.get('x-consul-index') ?? '0';
    } catch (err) {
      io.err(`Error saving snapshot: ${messageOf(err)}`);
      return 1;
    }

    const unverified = `${file}.unverified`;
    try {
      await writeSynced(unverified, body);
    } catch (err) {
      io.err(`Error writing unverified snapshot file: ${messageOf(err)}`);
      await rm(unverified, { force: true });
      return 1;
    }
    try {
      const handle = await open(unverified, 'r');
      try {
        decodeSnapshot(await handle.readFile());
      } finally {
        await handle.close();
      }
    } catch (err) {
      io.err(`Error verifying snapshot file: ${messageOf(err)}`);
      await rm(unverified, { force: true });
      return 1;
    }
    try {
      await rename(unverified, file);
      await syncDirectory(dirname(file));
    } catch (err) {
      io.err(`Error renaming ${JSON.stringify(unverified)} to ${JSON.stringify(file)}: ${messageOf(err)}`);
      await rm(unverified, { force: true });
      return 1;
    }
    io.out(`Saved and verified snapshot to index ${index}`);
    return 0;
  },
};

/** Writes the whole file with mode 0600 and flushes it to disk before closing. */
async function writeSynced(path: string, data: Buffer): Promise<void> {
  const handle = await open(path, 'w', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes a rename durable; some platforms cannot sync a directory, which is not an error here. */
async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // the rename itself succeeded
  } finally {
    await handle?.close();
  }
}
