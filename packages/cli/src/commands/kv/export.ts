import type { Command } from '../../command.js';
import { parseCommandLine } from '../../flags.js';
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP, SERVER_FLAGS, SERVER_FLAGS_HELP, httpClient, messageOf } from '../../http-flags.js';
import type { Io } from '../../io.js';
import { normalizeKey } from './data-arg.js';
import { toEntry } from './entry.js';

const FLAGS = { ...CLIENT_FLAGS, ...SERVER_FLAGS } as const;

export const kvExport: Command = {
  synopsis: 'Exports a tree from the KV store as JSON',
  help: () => `Usage: concord kv export [options] [KEY_OR_PREFIX]

  Retrieves key-value pairs for the given prefix from the key-value store, and
  writes a JSON representation to stdout. This can be used with the command
  "concord kv import" to move entire trees between clusters.

      $ concord kv export vault
${CLIENT_FLAGS_HELP}
${SERVER_FLAGS_HELP}`,

  async run(args: readonly string[], io: Io): Promise<number> {
    const line = parseCommandLine(args, FLAGS, io, { max: 1 });
    if (!line) return 1;
    const f = line.flags;
    const key = normalizeKey(line.args[0] ?? '');
    const { client, stale } = httpClient(f, io);
    try {
      const { value: pairs } = await client.kv.list(key, { stale });
      io.out(goJson(pairs.map(toEntry), '\t'));
      return 0;
    } catch (err) {
      io.err(`Error querying Consul agent: ${messageOf(err)}`);
      return 1;
    }
  },
};

/** JSON as Go's encoding/json writes it: `<`, `>`, `&` escaped, `[]` for empty. */
function goJson(value: unknown, indent: string): string {
  return JSON.stringify(value, null, indent)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
