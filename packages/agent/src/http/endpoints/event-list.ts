import type { AgentContext } from '../../agent-context.js';
import { blockingQuery, setQueryHeaders } from '../blocking.js';
import { json } from '../endpoint-kit.js';
import type { Route } from '../router.js';

/** `/v1/event/list`: blocking on the agent-local event index. */
export function eventRoutes(agent: AgentContext): Route[] {
  return [
    {
      path: '/v1/event/list',
      methods: ['GET'],
      handler: async (ctx) => {
        const name = ctx.query.get('name') || undefined;
        const source = {
          defaultQueryTimeMs: agent.config.defaultQueryTimeMs,
          maxQueryTimeMs: agent.config.maxQueryTimeMs,
          random: Math.random,
          watch: (_t: readonly string[], cb: () => void) => agent.events.watch(cb),
        };
        const result = await blockingQuery(ctx, source, () => agent.events.list(name));
        setQueryHeaders(ctx, { index: result.index, knownLeader: true, lastContactMs: 0, consistency: 'leader' });
        json(ctx, result.value);
      },
    },
  ];
}
