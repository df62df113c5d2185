import type { KVPair } from '@concord/api';
import type { Command } from '../../command.js';
import { parseCommandLine } from '../../flags.js';
import { tabwrite } from '../../format/tabwriter.js';
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP, SERVER_FLAGS, SERVER_FLAGS_HELP, httpClient, messageOf } from '../../http-flags.js';
import type { Io } from '../../io.js';
import { normalizeKey } from './data-arg.js';

const FLAGS = {
  base64: { kind: 'boolean' },
  detailed: { kind: 'boolean' },
  keys: { kind: 'boolean' },
  recurse: { kind: 'boolean' },
  separator: { kind: 'string' },
  ...CLIENT_FLAGS,
  ...SERVER_FLAGS,
} as const;

export const kvGet: Command = {
  synopsis: 'Retrieves or lists data from the KV store',
  help: () => `Usage: concord kv get [options] [KEY_OR_PREFIX]

  Retrieves the value from the key-value store at the given key name. If no
  key exists with that name, an error is returned. If a key exists with that
  name but has no data, nothing is returned. If the name or prefix is omitted,
  it defaults to "" which is the root of the key-value store.

      $ concord kv get foo
      $ concord kv get -detailed foo
      $ concord kv get -recurse foo
      $ concord kv get -keys foo

Command Options

  -base64           Base 64 encode the value.
  -detailed         Show the key's metadata (indexes, flags, session) too.
  -keys             List keys which start with the given prefix, not values.
  -recurse          Recursively look at all keys prefixed with the given path.
  -separator=<string>
                    Separator for -keys. The default is "/".
${CLIENT_FLAGS_HELP}
${SERVER_FLAGS_HELP}`,

  async run(args: readonly string[], io: Io): Promise<number> {
    const line = parseCommandLine(args, FLAGS, io, { max: 1 });
    if (!line) return 1;
    const f = line.flags;
    const key = normalizeKey(line.args[0] ?? '');
    const keys = f.bool('keys');
    const recurse = f.bool('recurse');
    if (key === '' && !(recurse || keys)) {
      io.err('Error! Missing KEY argument');
      return 1;
    }
    const base64 = f.bool('base64');
    const detailed = f.bool('detailed');
    const { client, stale } = httpClient(f, io);

    try {
      if (keys) {
        const separator = f.has('separator') ? f.string('separator') : '/';
        const { value } = await client.kv.keys(key, { separator, stale });
        for (const k of value) io.out(k);
        return 0;
      }
      if (recurse) {
        const { value: pairs } = await client.kv.list(key, { stale });
        pairs.forEach((pair, i) => {
          if (detailed) {
            io.out(detailedPair(pair, base64));
            if (i < pairs.length - 1) io.out('');
          } else {
            io.write(Buffer.concat([Buffer.from(`${pair.Key}:`), valueBytes(pair, base64), Buffer.from('\n')]));
          }
        });
        return 0;
      }
      const { value: pair } = await client.kv.get(key, { stale });
      if (!pair) {
        io.err(`Error! No key exists at: ${key}`);
        return 1;
      }
      if (detailed) io.out(detailedPair(pair, base64));
      else io.write(Buffer.concat([valueBytes(pair, false), Buffer.from('\n')]));
      return 0;
    } catch (err) {
      io.err(`Error querying Consul agent: ${messageOf(err)}`);
      return 1;
    }
  },
};

function valueBytes(pair: KVPair, base64: boolean): Buffer {
  const value = pair.Value ?? Buffer.alloc(0);
  return base64 ? Buffer.from(value.toString('base64')) : value;
}

function detailedPair(pair: KVPair, base64: boolean): string {
  return tabwrite([
    ['CreateIndex', String(pair.CreateIndex)],
    ['Flags', String(pair.Flags)],
    ['Key', pair.Key],
    ['LockIndex', String(pair.LockIndex)],
    ['ModifyIndex', String(pair.ModifyIndex)],
    ['Session', pair.Session ? pair.Session : '-'],
    ['Value', valueBytes(pair, base64).toString('utf8')],
  ]);
}
