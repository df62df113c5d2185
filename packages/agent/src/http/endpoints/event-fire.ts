import type { AgentContext } from '../../agent-context.js';
import { UserEventError } from '../../events/user-events.js';
import { checkDatacenter, json } from '../endpoint-kit.js';
import { HttpError, badRequest } from '../http-error.js';
import { readBody } from '../request.js';
import type { Route } from '../router.js';

/** Bodies past this are refused before they are read; Serf's own limit (512 bytes) is far lower. */
const MAX_FIRE_BODY = 100 * 1024;

/**
 * `PUT /v1/event/fire/<name>[?node=&service=&tag=]`: the body is the opaque payload. The name
 * is the rest of the path, as Consul takes it. Answers the event (LTime 0, as Consul does).
 */
export function eventFireRoutes(agent: AgentContext): Route[] {
  return [
    {
      path: '/v1/event/fire/*',
      methods: ['PUT'],
      handler: async (ctx) => {
        checkDatacenter(ctx, agent);
        const raw = ctx.params['*'] ?? '';
        let name: string;
        try {
          name = decodeURIComponent(raw);
        } catch {
          throw badRequest('Invalid event name: not valid UTF-8 or bad escape');
        }
        if (!name) throw badRequest('Missing name');
        const payload = await readBody(ctx.req, MAX_FIRE_BODY, (n) => `Request body(${n} bytes) too large, max size: ${MAX_FIRE_BODY} bytes`);
        const q = ctx.query;
        try {
          const event = agent.userEvents.fire({
            name,
            payload,
            nodeFilter: q.get('node') ?? '',
            serviceFilter: q.get('service') ?? '',
            tagFilter: q.get('tag') ?? '',
          });
          json(ctx, event);
        } catch (err) {
          if (err instanceof UserEventError) throw new HttpError(400, err.message);
          throw err;
        }
      },
    },
  ];
}
