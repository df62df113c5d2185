import type { AgentContext } from '../../agent-context.js';
import { checkDatacenter, json } from '../endpoint-kit.js';
import { decodeSegment, readBody } from '../request.js';
import type { Route } from '../router.js';

export function eventFireRoutes(agent: AgentContext): Route[] {
  return [
    {
      path: '/v1/event/fire/:name',
      methods: ['PUT'],
      handler: async (ctx) => {
        checkDatacenter(ctx, agent);
        const name = decodeSegment(ctx.params.name ?? '', 'event name');
        if (!name) return json(ctx, 'Missing name', 400);
        const payload = await readBody(ctx.req, 100 * 1024, (n) => `Request body(${n} bytes) too large, max size: ${100 * 1024} bytes`);
        const q = ctx.query;
        json(ctx, agent.events.fire(name, payload, { node: q.get('node') ?? '', service: q.get('service') ?? '', tag: q.get('tag') ?? '' }));
      },
    },
  ];
}
