import { coordinateProblem, defaultVivaldiConfig } from '@concord/gossip';
import type { CoordinateEntry, NetworkCoordinate } from '@concord/state';
import type { ServerContext } from '../../agent-context.js';
import { MEMBER_STATUS } from '../../cluster/membership.js';
import { type Body, field, isBody, optString } from '../decode.js';
import { applyFilter, filterOf, json, nodeWriteBody, read } from '../endpoint-kit.js';
import { badRequest } from '../http-error.js';
import { type RequestContext, requiredPathRest } from '../request.js';
import { sendEmpty } from '../respond.js';
import type { Route } from '../router.js';

const UPDATE_FIELDS = ['Datacenter', 'Node', 'Segment', 'Coord', 'Token', 'Partition', 'Namespace'];

/** The body's `Coord`, bound case-insensitively; numbers Go would leave at zero default to 0. */
function decodeCoord(raw: unknown): NetworkCoordinate {
  if (!isBody(raw)) throw badRequest('invalid coordinate: Coord must be an object');
  const num = (b: Body, name: string): unknown => field(b, name) ?? 0;
  const vec = field(raw, 'Vec') ?? [];
  const coord = { Vec: vec, Error: num(raw, 'Error'), Adjustment: num(raw, 'Adjustment'), Height: num(raw, 'Height') };
  // Consul's two refusals: non-finite numbers ("invalid"), then another dimensionality ("incompatible").
  const problem = coordinateProblem(coord, Array.isArray(vec) ? vec.length : 0);
  if (problem !== undefined) throw badRequest(`invalid coordinate: ${problem}`);
  const mismatch = coordinateProblem(coord, defaultVivaldiConfig.dimensionality);
  if (mismatch !== undefined) throw badRequest(`incompatible coordinate: ${mismatch}`);
  return coord as NetworkCoordinate;
}

async function update(ctx: RequestContext, agent: ServerContext): Promise<void> {
  const body = await nodeWriteBody(ctx, agent, UPDATE_FIELDS, 'coordinate update');
  if (!body) return;
  const { raw, node } = body;
  const coord = decodeCoord(field(raw, 'Coord'));
  if (agent.server.state.node(node) === undefined) throw badRequest(`Unknown node "${node}": a coordinate needs a node in the catalog`);
  const entry: CoordinateEntry = { Node: node, Segment: optString(raw, 'Segment') ?? '', Coord: coord };
  await agent.write({ type: 'coordinate-batch-update', updates: [entry] });
  sendEmpty(ctx.res, 200);
}

/**
 * `/v1/coordinate/datacenters`: Concord has no WAN pool, so this datacenter's entry lists
 * its alive servers with their LAN coordinates from the catalog (servers without one are left out).
 */
function datacenters(ctx: RequestContext, agent: ServerContext): void {
  const dc = agent.config.datacenter;
  const state = agent.server.state;
  const coordinates: { Node: string; Coord: NetworkCoordinate }[] = [];
  const servers = agent.members().filter((m) => m.Tags.role === 'consul' && m.Tags.dc === dc && m.Status === MEMBER_STATUS.alive);
  for (const name of servers.map((m) => m.Name).sort()) {
    const lan = state.nodeCoordinates(name).value.find((e) => e.Segment === '');
    if (lan) coordinates.push({ Node: name, Coord: lan.Coord });
  }
  json(ctx, [{ Datacenter: dc, AreaID: 'wan', Coordinates: coordinates }]);
}

export function coordinateRoutes(agent: ServerContext): Route[] {
  const state = agent.server.state;
  return [
    { path: '/v1/coordinate/datacenters', methods: ['GET'], handler: (ctx) => datacenters(ctx, agent) },
    {
      path: '/v1/coordinate/nodes',
      methods: ['GET'],
      handler: async (ctx) => {
        const filter = filterOf(ctx);
        const segment = ctx.query.get('segment');
        const { value } = await read(ctx, agent, () => state.coordinates());
        json(ctx, applyFilter(segment === null ? value : value.filter((e) => e.Segment === segment), filter));
      },
    },
    {
      path: '/v1/coordinate/node/*',
      methods: ['GET'],
      handler: async (ctx) => {
        const name = requiredPathRest(ctx, 'node', 'Missing node name');
        const { value } = await read(ctx, agent, () => state.nodeCoordinates(name));
        if (value.length === 0) return sendEmpty(ctx.res, 404);
        json(ctx, value);
      },
    },
    { path: '/v1/coordinate/update', methods: ['PUT'], handler: (ctx) => update(ctx, agent) },
  ];
}
