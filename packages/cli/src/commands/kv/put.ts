import type { Command } from '../../command.js';
import { parseCommandLine } from '../../flags.js';
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP, SERVER_FLAGS, SERVER_FLAGS_HELP, httpClient, messageOf } from '../../http-flags.js';
import type { Io } from '../../io.js';
import { readDataArg } from './data-arg.js';

const FLAGS = {
  cas: { kind: 'boolean' },
  flags: { kind: 'number' },
  base64: { kind: 'boolean' },
  'modify-index': { kind: 'number' },
  session: { kind: 'string' },
  acquire: { kind: 'boolean' },
  release: { kind: 'boolean' },
  ...CLIENT_FLAGS,
  ...SERVER_FLAGS,
} as const;

export const kvPut: Command = {
  synopsis: 'Sets or updates data in the KV store',
  help: () => `Usage: concord kv put [options] KEY [DATA]

  Writes the data to the given path in the key-value store. The data can be of
  any type.

      $ concord kv put config/redis/maxconns 5

  The data can also be consumed from a file on disk by prefixing with the "@"
  symbol, or read from stdin using the "-" symbol:

      $ concord kv put config/program/license @license.lic
      $ echo "abcd1234" | concord kv put config/program/license -

  The DATA argument itself is optional. If omitted, this will create an empty
  key-value pair at the specified path. With -base64 the data is decoded from
  base 64 first. For a Check-And-Set operation, give -cas with -modify-index:

      $ concord kv put -cas -modify-index=844 config/redis/maxconns 5

Command Options

  -acquire          Obtain a lock on the key (requires -session).
  -base64           Treat the data as base 64 encoded.
  -cas              Perform a Check-And-Set operation (requires -modify-index).
  -flags=<uint>     Unsigned integer value to store with the key.
  -modify-index=<uint>
                    ModifyIndex of the key, used with -cas.
  -release          Forfeit the lock on the key (requires -session).
  -session=<id>     Session to use with -acquire and -release.
${CLIENT_FLAGS_HELP}
${SERVER_FLAGS_HELP}`,

  async run(args: readonly string[], io: Io): Promise<number> {
    const line = parseCommandLine(args, FLAGS, io, {
      min: 1,
      max: 2,
      missing: 'Error! Missing KEY argument',
      tooMany: (given) => `Error! Too many arguments (expected 1 or 2, got ${given.length})`,
    });
    if (!line) return 1;
    const f = line.flags;
    const rest = line.args;
    const key = rest[0] as string;
    let data: Buffer;
    try {
      data = rest.length === 2 && rest[1] !== '' ? await readDataArg(rest[1] as string, io) : Buffer.alloc(0);
    } catch (err) {
      io.err(`Error! ${messageOf(err)}`);
      return 1;
    }
    if (f.bool('base64')) {
      const text = data.toString('utf8');
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
        io.err('Error! Cannot base 64 decode data: illegal base64 data');
        return 1;
      }
      data = Buffer.from(text, 'base64');
    }
    const session = f.string('session');
    const acquire = f.bool('acquire');
    const release = f.bool('release');
    if ((acquire || release) && session === '') {
      io.err('Error! Missing -session (required with -acquire and -release)');
      return 1;
    }
    const cas = f.bool('cas');
    const modifyIndex = f.uint('modify-index');
    if (cas && modifyIndex === 0) {
      io.err('Must specify -modify-index with -cas!');
      return 1;
    }
    const flags = f.uint('flags');
    const { client } = httpClient(f, io);

    if (cas) {
      let ok: boolean;
      try {
        ok = await client.kv.put(key, data, { flags, cas: modifyIndex });
      } catch (err) {
        io.err(`Error! Did not write to ${key}: ${messageOf(err)}`);
        return 1;
      }
      if (!ok) {
        io.err(`Error! Did not write to ${key}: CAS failed`);
        return 1;
      }
      io.out(`Success! Data written to: ${key}`);
      return 0;
    }
    if (acquire || release) {
      let ok: boolean;
      try {
        ok = await client.kv.put(key, data, acquire ? { flags, acquire: session } : { flags, release: session });
      } catch (err) {
        io.err(`Error! Failed writing data: ${messageOf(err)}`);
        return 1;
      }
      if (!ok) {
        io.err(acquire ? 'Error! Did not acquire lock' : 'Error! Did not release lock');
        return 1;
      }
      io.out(acquire ? `Success! Lock acquired on: ${key}` : `Success! Lock released on: ${key}`);
      return 0;
    }
    try {
      await client.kv.put(key, data, { flags });
    } catch (err) {
      io.err(`Error! Failed writing data: ${messageOf(err)}`);
      return 1;
    }
    io.out(`Success! Data written to: ${key}`);
    return 0;
  },
};
