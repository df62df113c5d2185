import type { CatalogNodeEntry } from '@concord/api';
import type { Command } from '../../command.js';
import { parseCommandLine } from '../../flags.js';
import { columnize } from '../../format/columnize.js';
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP, SERVER_FLAGS, SERVER_FLAGS_HELP, httpClient, messageOf } from '../../http-flags.js';
import type { Io } from '../../io.js';
import { readDataArg } from '../kv/data-arg.js';
import { byteOrder } from './services.js';

const FLAGS = {
  detailed: { kind: 'boolean' },
  near: { kind: 'string' },
  'node-meta': { kind: 'list' },
  service: { kind: 'string' },
  filter: { kind: 'string' },
  ...CLIENT_FLAGS,
  ...SERVER_FLAGS,
} as const;

export const catalogNodes: Command = {
  synopsis: 'Lists all nodes in the given datacenter',
  help: () => `Usage: concord catalog nodes [options]

  Retrieves the list nodes registered in a given datacenter. By default, the
  datacenter of the local agent is queried.

      $ concord catalog nodes
      $ concord catalog nodes -detailed
      $ concord catalog nodes -service=web
      $ concord catalog nodes -node-meta="foo=bar"
      $ concord catalog nodes -near=node-web

Command Options

  -detailed         Output detailed information about the nodes including
                    their addresses and metadata.
  -filter=<expression>
                    Filter to use with the request (@file and - read it).
  -near=<node>      Sort by estimated round-trip time from this node
                    ("_agent" for this agent's node).
  -node-meta=<key=value>
                    Only nodes with this metadata. May be repeated.
  -service=<id or name>
                    Only nodes providing the given service.
${CLIENT_FLAGS_HELP}
${SERVER_FLAGS_HELP}`,

  async run(args: readonly string[], io: Io): Promise<number> {
    const line = parseCommandLine(args, FLAGS, io);
    if (!line) return 1;
    const f = line.flags;
    const nodeMeta = f.map('node-meta');
    const near = f.string('near') || undefined;
    let filter = f.string('filter') || undefined;
    if (filter && (filter.startsWith('@') || filter === '-')) {
      try {
        filter = (await readDataArg(filter, io)).toString('utf8');
      } catch (err) {
        io.err(`Could not process filter argument: ${messageOf(err)}`);
        return 1;
      }
    }
    const { client, stale } = httpClient(f, io);
    const options = { nodeMeta, stale, ...(near ? { near } : {}), ...(filter ? { filter } : {}) };
    const service = f.string('service');
    let nodes: CatalogNodeEntry[];
    if (service !== '') {
      try {
        const { value } = await client.catalog.service(service, options);
        nodes = value.map((s) => ({
          ID: s.ID,
          Node: s.Node,
          Address: s.Address,
          Datacenter: s.Datacenter,
          TaggedAddresses: s.TaggedAddresses,
          Meta: s.NodeMeta,
          CreateIndex: s.CreateIndex,
          ModifyIndex: s.ModifyIndex,
        }));
      } catch (err) {
        io.err(`Error listing nodes for service: ${messageOf(err)}`);
        return 1;
      }
    } else {
      try {
        nodes = (await client.catalog.nodes(options)).value;
      } catch (err) {
        io.err(`Error listing nodes: ${messageOf(err)}`);
        return 1;
      }
    }
    if (nodes.length === 0) {
      io.err('No nodes match the given query - try expanding your search.');
      return 0;
    }
    const detailed = f.bool('detailed');
    const header = detailed ? ['Node', 'ID', 'Address', 'DC', 'TaggedAddresses', 'Meta'] : ['Node', 'ID', 'Address', 'DC'];
    const rows = nodes.map((n) => {
      const id = n.ID ?? '';
      if (detailed) {
        return [n.Node, id, n.Address, n.Datacenter ?? '', mapToKV(n.TaggedAddresses), mapToKV(n.Meta)];
      }
      const dash = id.indexOf('-');
      return [n.Node, dash > 0 ? id.slice(0, dash) : id, n.Address, n.Datacenter ?? ''];
    });
    io.out(columnize([header, ...rows]));
    return 0;
  },
};

function mapToKV(map: Record<string, string> | null | undefined): string {
  return Object.keys(map ?? {})
    .sort(byteOrder)
    .map((k) => `${k}=${(map as Record<string, string>)[k]}`)
    .join(', ');
}
