import { open, rename, rm } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import type { ConsulApi } from '@concord/api';
import type { Command } from '../../command.js';
import { parseCommandLine } from '../../flags.js';
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP, SERVER_FLAGS, SERVER_FLAGS_HELP, httpClient, messageOf } from '../../http-flags.js';
import type { Io } from '../../io.js';
import { rawRequest } from '../../raw-request.js';
import { FILE_ARG, decodeSnapshot } from './file.js';

const FLAGS = { 'append-filename': { kind: 'string' }, ...CLIENT_FLAGS, ...SERVER_FLAGS } as const;

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

  To name the file after the agent's version and datacenter
  ("backup-0.1.0-dc1.snap"):

    $ concord snapshot save -append-filename=version,dc backup.snap

Command Options

  -append-filename=<list>
                    Comma-separated list of what to append to the file name,
                    before its extension: version, dc, node, status (leader
                    or follower). Always appended in that order.
${CLIENT_FLAGS_HELP}
${SERVER_FLAGS_HELP}`,

  async run(args: readonly string[], io: Io): Promise<number> {
    const line = parseCommandLine(args, FLAGS, io, FILE_ARG);
    if (!line) return 1;
    const http = httpClient(line.flags, io);
    let file = line.args[0] as string;
    const append = line.flags.string('append-filename');
    if (append !== '') {
      try {
        file = await appendToFileName(file, append.split(','), http.client);
      } catch (err) {
        io.err(`Error connecting to the agent and fetching datacenter/version: ${messageOf(err)}`);
        return 1;
      }
    }
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

/** `backup.snap` → `backup-0.1.0-dc1-node1-leader.snap` for the parts asked for, in that order. */
async function appendToFileName(file: string, parts: readonly string[], client: ConsulApi): Promise<string> {
  const self = await client.agent.self();
  const ext = extname(file);
  let name = file.slice(0, file.length - ext.length);
  if (parts.includes('version')) name += `-${self.Config.Version}`;
  if (parts.includes('dc')) name += `-${self.Config.Datacenter}`;
  if (parts.includes('node')) name += `-${self.Config.NodeName}`;
  if (parts.includes('status')) name += self.Stats.consul?.leader === 'true' ? '-leader' : '-follower';
  return name + ext;
}

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
