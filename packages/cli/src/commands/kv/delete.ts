import type { Command } from '../../command.js';
import { parseCommandLine } from '../../flags.js';
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP, SERVER_FLAGS, SERVER_FLAGS_HELP, httpClient, messageOf } from '../../http-flags.js';
import type { Io } from '../../io.js';
import { normalizeKey } from './data-arg.js';

const FLAGS = {
  cas: { kind: 'boolean' },
  'modify-index': { kind: 'number' },
  recurse: { kind: 'boolean' },
  ...CLIENT_FLAGS,
  ...SERVER_FLAGS,
} as const;

export const kvDelete: Command = {
  synopsis: 'Removes data from the KV store',
  help: () => `Usage: concord kv delete [options] KEY_OR_PREFIX

  Removes the value from the key-value store at the given path. If no key
  exists at the path, no action is taken.

      $ concord kv delete foo

  To delete all keys which start with "foo", specify the -recurse option. This
  deletes "foo", "food" and "foo/bar/zip" if they exist:

      $ concord kv delete -recurse foo

Command Options

  -cas              Perform a Check-And-Set operation (requires -modify-index).
  -modify-index=<uint>
                    ModifyIndex of the key, used with -cas.
  -recurse          Recursively delete all keys with the path.
${CLIENT_FLAGS_HELP}
${SERVER_FLAGS_HELP}`,

  async run(args: readonly string[], io: Io): Promise<number> {
    const line = parseCommandLine(args, FLAGS, io, { max: 1 });
    if (!line) return 1;
    const f = line.flags;
    const key = normalizeKey(line.args[0] ?? '');
    const cas = f.bool('cas');
    const recurse = f.bool('recurse');
    const modifyIndex = f.uint('modify-index');
    if (key === '' && !recurse) {
      io.err('Error! Missing KEY argument');
      return 1;
    }
    if (cas && modifyIndex === 0) {
      io.err('Cannot delete a key that does not exist. Provide a -modify-index greater than than 0.');
      return 1;
    }
    if (modifyIndex !== 0 && !cas) {
      io.err('Cannot specify -modify-index without -cas!');
      return 1;
    }
    if (recurse && cas) {
      io.err('Cannot specify both -cas and -recurse!');
      return 1;
    }
    const { client } = httpClient(f, io);
    if (recurse) {
      try {
        await client.kv.delete(key, { recurse: true });
      } catch (err) {
        io.err(`Error! Did not delete prefix ${key}: ${messageOf(err)}`);
        return 1;
      }
      io.out(`Success! Deleted keys with prefix: ${key}`);
      return 0;
    }
    if (cas) {
      let ok: boolean;
      try {
        ok = await client.kv.delete(key, { cas: modifyIndex });
      } catch (err) {
        io.err(`Error! Did not delete key ${key}: ${messageOf(err)}`);
        return 1;
      }
      if (!ok) {
        io.err(`Error! Did not delete key ${key}: CAS failed`);
        return 1;
      }
      io.out(`Success! Deleted key: ${key}`);
      return 0;
    }
    try {
      await client.kv.delete(key);
    } catch (err) {
      io.err(`Error deleting key ${key}: ${messageOf(err)}`);
      return 1;
    }
    io.out(`Success! Deleted key: ${key}`);
    return 0;
  },
};
