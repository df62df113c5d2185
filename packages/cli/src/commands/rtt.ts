import type { ConsulApi, CoordinateEntry } from '@concord/api';
import { distance as coordinateDistance } from '@concord/gossip/coordinate';
import type { Command } from '../command.js';
import { parseCommandLine } from '../flags.js';
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP, httpClient, messageOf } from '../http-flags.js';
import type { Io } from '../io.js';

const FLAGS = { wan: { kind: 'boolean' }, ...CLIENT_FLAGS } as const;

const ONE_OR_TWO = 'One or two node names must be specified';

type Coord = CoordinateEntry['Coord'];

/** Node names compare case-insensitively, as in Consul. */
const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** A lookup of coordinates by the node names the user typed. */
type Lookup = (node: string) => Coord | undefined;

/** LAN: every node's coordinate in the default segment. */
async function lanLookup(client: ConsulApi): Promise<Lookup> {
  const entries = (await client.coordinate.nodes()).value;
  return (node) => entries.find((e) => e.Segment === '' && sameName(e.Node, node))?.Coord;
}

/**
 * WAN: servers as `<node>.<datacenter>` in `/v1/coordinate/datacenters`, their WAN coordinates
 * (entries are named as in the WAN pool, `<node>.<datacenter>`; a bare node name matches too).
 */
async function wanLookup(client: ConsulApi): Promise<Lookup> {
  const dcs = await client.coordinate.datacenters();
  return (name) => {
    const [node = '', dc] = name.split('.');
    return dcs.find((d) => d.Datacenter === dc)?.Coordinates.find((e) => sameName(e.Node, name) || sameName(e.Node, node))?.Coord;
  };
}

function noCoordinate(io: Io, node: string): number {
  io.err(`Could not find a coordinate for node ${JSON.stringify(node)}`);
  return 1;
}

export const rtt: Command = {
  synopsis: 'Estimates network round trip time between nodes',
  help: () => `Usage: concord rtt [options] node1 [node2]

  Estimates the round trip time between two nodes using the network
  coordinates of the cluster.

  At least one node name is required. If the second node name isn't given, it
  is set to the agent's node name. These are node names as "concord members"
  shows them, not IP addresses.

  With -wan the servers' entries of /v1/coordinate/datacenters are used and
  the node names must be suffixed by a period and the datacenter (eg.
  "myserver.dc1"): only servers have WAN coordinates.

Command Options

  -wan              Use WAN coordinates instead of LAN coordinates.
${CLIENT_FLAGS_HELP}`,

  async run(args: readonly string[], io: Io): Promise<number> {
    const line = parseCommandLine(args, FLAGS, io, { min: 1, max: 2, missing: ONE_OR_TWO, tooMany: ONE_OR_TWO });
    if (!line) return 1;
    const wan = line.flags.bool('wan');
    const { client } = httpClient(line.flags, io);
    const nodes = [...line.args];
    if (nodes.length < 2) {
      try {
        const { NodeName, Datacenter } = (await client.agent.self()).Config;
        nodes.push(wan ? `${NodeName}.${Datacenter}` : NodeName);
      } catch (err) {
        io.err(`Unable to look up agent info: ${messageOf(err)}`);
        return 1;
      }
    }
    if (wan && nodes.some((n) => n.split('.').length !== 2)) {
      io.err('Node names must be specified as <node name>.<datacenter> with -wan');
      return 1;
    }
    let lookup: Lookup;
    try {
      lookup = await (wan ? wanLookup(client) : lanLookup(client));
    } catch (err) {
      io.err(`Error getting coordinates: ${messageOf(err)}`);
      return 1;
    }
    const [node1, node2] = nodes as [string, string];
    const coord1 = lookup(node1);
    if (coord1 === undefined) return noCoordinate(io, node1);
    const coord2 = lookup(node2);
    if (coord2 === undefined) return noCoordinate(io, node2);
    const ms = coordinateDistance(coord1, coord2) * 1000;
    io.out(`Estimated ${node1} <-> ${node2} rtt: ${ms.toFixed(3)} ms (using ${wan ? 'WAN' : 'LAN'} coordinates)`);
    return 0;
  },
};
