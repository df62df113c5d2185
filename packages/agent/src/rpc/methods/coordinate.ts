/** Consul's Coordinate endpoint: network coordinates of nodes and of this datacenter's servers. */
import type { Command, NetworkCoordinate } from '@concord/state';
import { MEMBER_STATUS } from '../../agent-context.js';
import { invalidRequest } from '../../errors/agent-error.js';
import { optStr, record, str } from '../args.js';
import { callMethod, queryMethod } from '../method.js';
import { applyMethod } from './apply.js';
import { filtered } from './catalog.js';

export const coordinateMethods = {
  /**
   * From the WAN pool: every datacenter with its servers' WAN coordinates, as `<node>.<dc>`
   * (Consul's GetDatacenterMaps). With the WAN pool off, this datacenter's alive servers with
   * their LAN coordinates (those without one are left out).
   */
  'Coordinate.ListDatacenters': callMethod(
    'server',
    (raw) => (record(raw), {}),
    async ({ agent }) => {
      if (agent.wan) return { value: agent.wan.datacenterMaps() };
      const dc = agent.config.datacenter;
      const state = agent.server.state;
      const coordinates: { Node: string; Coord: NetworkCoordinate }[] = [];
      const servers = agent.members().filter((m) => m.Tags.role === 'consul' && m.Tags.dc === dc && m.Status === MEMBER_STATUS.alive);
      for (const name of servers.map((m) => m.Name).sort()) {
        const lan = state.nodeCoordinates(name).value.find((e) => e.Segment === '');
        if (lan) coordinates.push({ Node: name, Coord: lan.Coord });
      }
      return { value: [{ Datacenter: dc, AreaID: 'wan', Coordinates: coordinates }] };
    },
  ),
  'Coordinate.ListNodes': queryMethod(
    (raw): { segment?: string } => {
      const segment = optStr(record(raw), 'segment');
      return segment === undefined ? {} : { segment };
    },
    ({ agent, shape }, { segment }) => {
      const r = agent.server.state.coordinates();
      return { ...r, value: filtered(segment === undefined ? r.value : r.value.filter((e) => e.Segment === segment), shape) };
    },
  ),
  'Coordinate.Node': queryMethod(
    (raw) => ({ node: str(record(raw), 'node') }),
    ({ agent }, { node }) => agent.server.state.nodeCoordinates(node),
  ),
  // A batch that names only nodes missing from the catalog would apply nothing: refused.
  'Coordinate.Update': applyMethod(['coordinate-batch-update'], undefined, ({ agent }, command: Command) => {
    if (command.type !== 'coordinate-batch-update') return;
    const state = agent.server.state;
    const known = command.updates.some((u) => state.node(u.Node) !== undefined);
    const first = command.updates[0];
    if (!known && first) throw invalidRequest(`Unknown node "${first.Node}": a coordinate needs a node in the catalog`);
  }),
};
