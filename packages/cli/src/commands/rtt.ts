import type { CoordinateEntry } from '@concord/api';
import { coordinateDistance } from '@concord/agent';
import type { Command } from '../command.js';
import { parseCommandLine } from '../flags.js';
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP, httpClient, messageOf } from '../http-flags.js';
import type { Io } from '../io.js';

const ONE_OR_TWO = 'One or two node names must be specified';

/** The LAN coordinate of `node` (default segment; names compared case-insensitively, as Consul does). */
function lanCoordinate(entries: readonly CoordinateEntry[], node: string): CoordinateEntry['Coord'] | undefined {
  const want = node.toLowerCase();
  return entries.find((e) => e.Segment === '' && e.Node.toLowerCase() === want)?.Coord;
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
  shows them, not IP addresses. Only LAN coordinates exist: there is no -wan.
${CLIENT_FLAGS_HELP}`,

  async run(args: readonly string[], io: Io): Promise<number> {
    const line = parseCommandLine(args, CLIENT_FLAGS, io, { min: 1, max: 2, missing: ONE_OR_TWO, tooMany: ONE_OR_TWO });
    if (!line) return 1;
    const { client } = httpClient(line.flags, io);
    const nodes = [...line.args];
    if (nodes.length < 2) {
      try {
        nodes.push((await client.agent.self()).Config.NodeName);
      } catch (err) {
        io.err(`Unable to look up agent info: ${messageOf(err)}`);
        return 1;
      }
    }
    let entries: CoordinateEntry[];
    try {
      entries = (await client.coordinate.nodes()).value;
    } catch (err) {
      io.err(`Error getting coordinates: ${messageOf(err)}`);
      return 1;
    }
    const [node1, node2] = nodes as [string, string];
    const coord1 = lanCoordinate(entries, node1);
    if (coord1 === undefined) return noCoordinate(io, node1);
    const coord2 = lanCoordinate(entries, node2);
    if (coord2 === undefined) return noCoordinate(io, node2);
    const ms = coordinateDistance(coord1, coord2) * 1000;
    io.out(`Estimated ${node1} <-> ${node2} rtt: ${ms.toFixed(3)} ms (using LAN coordinates)`);
    return 0;
  },
};
