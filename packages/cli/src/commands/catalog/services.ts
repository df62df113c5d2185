import type { Command } from '../../command.js';
import { parseCommandLine } from '../../flags.js';
import { tabwrite } from '../../format/tabwriter.js';
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP, SERVER_FLAGS, SERVER_FLAGS_HELP, httpClient, messageOf } from '../../http-flags.js';
import type { Io } from '../../io.js';

const FLAGS = {
  node: { kind: 'string' },
  'node-meta': { kind: 'list' },
  tags: { kind: 'boolean' },
  ...CLIENT_FLAGS,
  ...SERVER_FLAGS,
} as const;

export const catalogServices: Command = {
  synopsis: 'Lists all registered services in a datacenter',
  help: () => `Usage: concord catalog services [options]

  Retrieves the list services registered in a given datacenter. By default, the
  datacenter of the local agent is queried.

      $ concord catalog services
      $ concord catalog services -tags
      $ concord catalog services -node=web
      $ concord catalog services -node-meta="foo=bar"

Command Options

  -node=<id or name>
                    Node for which to list services.
  -node-meta=<key=value>
                    Only services on nodes with this metadata. May be repeated.
  -tags             Display each service's tags as a comma-separated list
                    beside each service entry.
${CLIENT_FLAGS_HELP}
${SERVER_FLAGS_HELP}`,

  async run(args: readonly string[], io: Io): Promise<number> {
    const line = parseCommandLine(args, FLAGS, io);
    if (!line) return 1;
    const f = line.flags;
    const nodeMeta = f.map('node-meta');
    const node = f.string('node');
    const { client, stale } = httpClient(f, io);
    let services: Record<string, string[]> = {};
    if (node !== '') {
      try {
        const { value } = await client.catalog.node(node, { nodeMeta, stale });
        for (const s of Object.values(value?.Services ?? {})) {
          services[s.Service] = [...(services[s.Service] ?? []), ...(s.Tags ?? [])];
        }
      } catch (err) {
        io.err(`Error listing services for node: ${messageOf(err)}`);
        return 1;
      }
    } else {
      try {
        services = (await client.catalog.services({ nodeMeta, stale })).value;
      } catch (err) {
        io.err(`Error listing services: ${messageOf(err)}`);
        return 1;
      }
    }
    const names = Object.keys(services).sort(byteOrder);
    if (names.length === 0) {
      io.err('No services match the given query - try expanding your search.');
      return 0;
    }
    if (f.bool('tags')) {
      const rows = names.map((name) => [name, [...(services[name] ?? [])].sort(byteOrder).join(',')]);
      io.out(tabwrite(rows).trim());
    } else {
      for (const name of names) io.out(name);
    }
    return 0;
  },
};

/** Go's sort.Strings order (by UTF-16 code unit, same as bytes for ASCII). */
export function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
