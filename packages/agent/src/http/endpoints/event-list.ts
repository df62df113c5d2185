import type { AgentContext } from '../../agent-context.js';
import { filterByAcl } from '../../acl/http-gate.js';
import { waitForChange } from '../blocking.js';
import { json } from '../endpoint-kit.js';
import { badRequest } from '../http-error.js';
import { waitParam } from '../request.js';
import type { Route } from '../router.js';

const MAX_UINT64 = (1n << 64n) - 1n;

/** `?index=` as Consul's `parseWait` reads it: an unsigned 64-bit decimal. */
function minIndexOf(q: URLSearchParams): bigint {
  const raw = q.get('index');
  if (raw === null || raw === '') return 0n;
  if (!/^\d{1,20}$/.test(raw) || BigInt(raw) > MAX_UINT64) throw badRequest('Invalid index');
  return BigInt(raw);
}

/**
 * `GET /v1/event/list[?name=]`: the events this agent received, oldest first. The index is
 * Consul's hash of the last listed event's ID (1 for none), so it is not monotonic: with
 * `?index=` the request is held only while the index equals it (Consul's event endpoint), until
 * an event changes the answer or the wait (default: max_query_time, as Consul's) runs out.
 */
export function eventRoutes(agent: AgentContext): Route[] {
  return [
    {
      path: '/v1/event/list',
      methods: ['GET'],
      handler: async (ctx) => {
        const name = ctx.query.get('name') || undefined;
        const minIndex = minIndexOf(ctx.query);
        const waitMs = waitParam(ctx.query, agent.config.maxQueryTimeMs, agent.config.maxQueryTimeMs);
        const deadline = Date.now() + waitMs;
        let result = agent.events.list(name);
        while (minIndex > 0n && BigInt(result.index) === minIndex) {
          const woke = await waitForChange(ctx, Math.max(0, deadline - Date.now()), (cb) => agent.events.watch(cb));
          if (ctx.res.destroyed || ctx.res.writableEnded) return;
          result = agent.events.list(name);
          if (!woke) break;
        }
        ctx.res.setHeader('X-Consul-Index', result.index);
        json(
          ctx,
          filterByAcl(ctx.req, ctx.res, result.events, (a, e) => a.eventRead(e.Name)),
        );
      },
    },
  ];
}
