import type { AgentContext } from '../../agent-context.js';
import { json, read } from '../endpoint-kit.js';
import { requiredPathRest } from '../request.js';
import { sendEmpty } from '../respond.js';
import type { Route } from '../router.js';

/** The summaries the web UI reads (`/v1/internal/ui/*`, in Consul's shapes, blocking like any catalog read). */
export function internalRoutes(agent: AgentContext): Route[] {
  return [
    { path: '/v1/internal/ui/services', methods: ['GET'], handler: async (ctx) => json(ctx, await read(ctx, agent, 'Internal.UIServices', {})) },
    { path: '/v1/internal/ui/nodes', methods: ['GET'], handler: async (ctx) => json(ctx, await read(ctx, agent, 'Internal.UINodes', {})) },
    {
      path: '/v1/internal/ui/node/*',
      methods: ['GET'],
      handler: async (ctx) => {
        const node = requiredPathRest(ctx, 'node', 'Missing node name');
        const value = await read(ctx, agent, 'Internal.UINodeInfo', { node });
        if (value === null) sendEmpty(ctx.res, 404);
        else json(ctx, value);
      },
    },
  ];
}
