import { coordinateProblem, defaultVivaldiConfig } from '@concord/gossip';
import type { CoordinateEntry, NetworkCoordinate } from '@concord/state';
import type { AgentContext } from '../../agent-context.js';
import { type Body, field, isBody, optString } from '../../decode/body.js';
import { json, read } from '../endpoint-kit.js';
import { nodeWriteBody } from '../node-write-body.js';
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

async function update(ctx: RequestContext, agent: AgentContext): Promise<void> {
  const { raw, node, send } = await nodeWriteBody(ctx, agent, UPDATE_FIELDS, 'coordinate update');
  const coord = decodeCoord(field(raw, 'Coord'));
  const entry: CoordinateEntry = { Node: node, Segment: optString(raw, 'Segment') ?? '', Coord: coord };
  await send('Coordinate.Update', { type: 'coordinate-batch-update', updates: [entry] });
  sendEmpty(ctx.res, 200);
}

export function coordinateRoutes(agent: AgentContext): Route[] {
  return [
    { path: '/v1/coordinate/datacenters', methods: ['GET'], handler: async (ctx) => json(ctx, await read(ctx, agent, 'Coordinate.ListDatacenters', {})) },
    {
      path: '/v1/coordinate/nodes',
      methods: ['GET'],
      handler: async (ctx) => {
        const segment = ctx.query.get('segment');
        json(ctx, await read(ctx, agent, 'Coordinate.ListNodes', segment === null ? {} : { segment }));
      },
    },
    {
      path: '/v1/coordinate/node/*',
      methods: ['GET'],
      handler: async (ctx) => {
        const node = requiredPathRest(ctx, 'node', 'Missing node name');
        const value = await read(ctx, agent, 'Coordinate.Node', { node });
        if (value.length === 0) return sendEmpty(ctx.res, 404);
        json(ctx, value);
      },
    },
    { path: '/v1/coordinate/update', methods: ['PUT'], handler: (ctx) => update(ctx, agent) },
  ];
}
