import { isHealthStatus } from '@concord/state';
import type { AgentContext } from '../../agent-context.js';
import { json, read } from '../endpoint-kit.js';
import { badRequest } from '../http-error.js';
import { requiredPathRest } from '../request.js';
import type { Route } from '../router.js';

/** `?passing`: presence, `1` or `true` mean on; `false`/`0` mean off; anything else is an error. */
function passingParam(q: URLSearchParams): boolean {
  if (!q.has('passing')) return false;
  const v = (q.get('passing') ?? '').toLowerCase();
  if (v === '' || v === '1' || v === 'true' || v === 't') return true;
  if (v === '0' || v === 'false' || v === 'f') return false;
  throw badRequest('Invalid value for ?passing');
}

export function healthRoutes(agent: AgentContext): Route[] {
  return [
    {
      path: '/v1/health/node/*',
      methods: ['GET'],
      handler: async (ctx) => {
        const node = requiredPathRest(ctx, 'node', 'Missing node name');
        json(ctx, await read(ctx, agent, 'Health.NodeChecks', { node }));
      },
    },
    {
      path: '/v1/health/checks/*',
      methods: ['GET'],
      handler: async (ctx) => {
        const service = requiredPathRest(ctx, 'service', 'Missing service name');
        json(ctx, await read(ctx, agent, 'Health.ServiceChecks', { service }));
      },
    },
    {
      path: '/v1/health/state/*',
      methods: ['GET'],
      handler: async (ctx) => {
        const state = requiredPathRest(ctx, 'state', 'Missing check state');
        if (state !== 'any' && !isHealthStatus(state)) throw badRequest(`Invalid state: ${state}`);
        json(ctx, await read(ctx, agent, 'Health.ChecksInState', { state }));
      },
    },
    {
      path: '/v1/health/service/*',
      methods: ['GET'],
      handler: async (ctx) => {
        const service = requiredPathRest(ctx, 'service', 'Missing service name');
        const passing = passingParam(ctx.query);
        json(ctx, await read(ctx, agent, 'Health.ServiceNodes', { service, tags: ctx.query.getAll('tag'), passing }));
      },
    },
  ];
}
