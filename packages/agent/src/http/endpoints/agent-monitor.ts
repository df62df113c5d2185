import type { AgentContext } from '../../agent-context.js';
import { parseMonitorLevel } from '../../log/log-hub.js';
import { HttpError, badRequest } from '../http-error.js';
import type { Route } from '../router.js';

/**
 * `/v1/agent/monitor`: the agent's log lines as they happen, at `?loglevel=` (default info), as
 * text or with `?logjson` as JSON lines, until the client goes away or the agent stops.
 */
export function agentMonitorRoutes(agent: AgentContext): Route[] {
  return [
    {
      path: '/v1/agent/monitor',
      methods: ['GET'],
      handler: (ctx) => {
        const raw = ctx.query.get('loglevel') || 'info';
        const level = parseMonitorLevel(raw);
        if (!level) throw badRequest(`Unknown log level: ${raw}`);
        const logs = agent.logs;
        if (!logs) throw new HttpError(500, "Streaming logs is not available: the agent logs through an embedder's logger");
        const { res } = ctx;
        res.statusCode = 200;
        res.setHeader('Content-Type', 'text/plain; charset=utf-8');
        res.flushHeaders();
        const stop = logs.monitor(
          {
            write: (line) => res.write(line),
            onDrain: (cb) => res.on('drain', cb),
            end: () => res.end(),
          },
          { level, json: ctx.query.has('logjson') },
        );
        res.once('close', stop);
        agent.logger.debug({ level }, 'agent: monitor attached');
      },
    },
  ];
}
