import { type CheckEntry, isHealthStatus } from '@concord/state';
import type { ServerContext } from '../../agent-context.js';
import { applyFilter, filterOf, json, nodeMetaFilter, read } from '../endpoint-kit.js';
import { badRequest } from '../http-error.js';
import { type RequestContext, requiredPathRest } from '../request.js';
import type { Route } from '../router.js';
import { nearNode, sortByDistance } from '../near.js';

/** `?passing`: presence, `1` or `true` mean on; `false`/`0` mean off; anything else is an error. */
function passingParam(q: URLSearchParams): boolean {
  if (!q.has('passing')) return false;
  const v = (q.get('passing') ?? '').toLowerCase();
  if (v === '' || v === '1' || v === 'true' || v === 't') return true;
  if (v === '0' || v === 'false' || v === 'f') return false;
  throw badRequest('Invalid value for ?passing');
}

/** `?node-meta=k:v`: keeps the checks whose node carries all the given metadata. */
function checksOnNodesWithMeta(ctx: RequestContext, agent: ServerContext): (checks: CheckEntry[]) => CheckEntry[] {
  const meta = nodeMetaFilter(ctx);
  if (!meta) return (checks) => checks;
  const state = agent.server.state;
  return (checks) => checks.filter((c) => meta(state.node(c.Node)?.Meta ?? {}));
}

export function healthRoutes(agent: ServerContext): Route[] {
  const state = agent.server.state;
  return [
    {
      path: '/v1/health/node/*',
      methods: ['GET'],
      handler: async (ctx) => {
        const node = requiredPathRest(ctx, 'node', 'Missing node name');
        const filter = filterOf(ctx);
        json(ctx, applyFilter((await read(ctx, agent, () => state.nodeChecks(node))).value, filter));
      },
    },
    {
      path: '/v1/health/checks/*',
      methods: ['GET'],
      handler: async (ctx) => {
        const service = requiredPathRest(ctx, 'service', 'Missing service name');
        const filter = filterOf(ctx);
        const near = nearNode(ctx, agent);
        const onNodes = checksOnNodesWithMeta(ctx, agent);
        const checks = applyFilter(onNodes((await read(ctx, agent, () => state.serviceChecks(service))).value), filter);
        json(ctx, sortByDistance(checks, (c) => c.Node, near, state));
      },
    },
    {
      path: '/v1/health/state/*',
      methods: ['GET'],
      handler: async (ctx) => {
        const s = requiredPathRest(ctx, 'state', 'Missing check state');
        if (s !== 'any' && !isHealthStatus(s)) throw badRequest(`Invalid state: ${s}`);
        const filter = filterOf(ctx);
        const near = nearNode(ctx, agent);
        const onNodes = checksOnNodesWithMeta(ctx, agent);
        const checks = applyFilter(onNodes((await read(ctx, agent, () => state.checksInState(s))).value), filter);
        json(ctx, sortByDistance(checks, (c) => c.Node, near, state));
      },
    },
    {
      path: '/v1/health/service/*',
      methods: ['GET'],
      handler: async (ctx) => {
        const service = requiredPathRest(ctx, 'service', 'Missing service name');
        const passing = passingParam(ctx.query);
        const tags = ctx.query.getAll('tag');
        const filter = filterOf(ctx);
        const meta = nodeMetaFilter(ctx);
        const near = nearNode(ctx, agent);
        const { value } = await read(ctx, agent, () => state.healthService(service, { tags, passing }));
        const entries = applyFilter(meta ? value.filter((e) => meta(e.Node.Meta)) : value, filter);
        json(ctx, sortByDistance(entries, (e) => e.Node.Node, near, state));
      },
    },
  ];
}
