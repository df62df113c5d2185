import type { AutopilotConfig } from '@concord/state';
import type { AgentContext } from '../../agent-context.js';
import { formatDuration } from '@concord/goflags';
import { type Body, optBool, optDuration, optInt, optString } from '../../decode/body.js';
import { json, read, write } from '../endpoint-kit.js';
import { badRequest } from '../http-error.js';
import { type RequestContext, readBody } from '../request.js';
import type { Route } from '../router.js';
import { isBody } from '../../decode/body.js';

const AUTOPILOT_BODY_LIMIT = 64 * 1024;

/**
 * The body of `PUT /v1/operator/autopilot/configuration`. As in Consul, fields left out take
 * their zero value (operators read, change and write the whole document).
 */
async function autopilotBody(ctx: RequestContext): Promise<AutopilotConfig> {
  const raw = await readBody(ctx.req, AUTOPILOT_BODY_LIMIT, (n) => `Request body(${n} bytes) too large, max size: ${AUTOPILOT_BODY_LIMIT} bytes`);
  let body: unknown;
  try {
    body = raw.length === 0 ? {} : JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw badRequest(`Error parsing autopilot config: ${(err as Error).message}`);
  }
  if (!isBody(body)) throw badRequest('Error parsing autopilot config: body must be a JSON object');
  const b: Body = body;
  return {
    CleanupDeadServers: optBool(b, 'CleanupDeadServers') ?? false,
    LastContactThreshold: formatDuration(optDuration(b, 'LastContactThreshold') ?? 0),
    MaxTrailingLogs: optInt(b, 'MaxTrailingLogs') ?? 0,
    MinQuorum: optInt(b, 'MinQuorum', 0, 2 ** 31) ?? 0,
    ServerStabilizationTime: formatDuration(optDuration(b, 'ServerStabilizationTime') ?? 0),
    RedundancyZoneTag: optString(b, 'RedundancyZoneTag') ?? '',
    DisableUpgradeMigration: optBool(b, 'DisableUpgradeMigration') ?? false,
    UpgradeVersionTag: optString(b, 'UpgradeVersionTag') ?? '',
  };
}

/** `?cas=`: absent, or an unsigned integer. */
function casParam(q: URLSearchParams): number | undefined {
  if (!q.has('cas')) return undefined;
  const raw = q.get('cas') ?? '';
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw badRequest(`Error parsing cas value: strconv.ParseUint: parsing ${JSON.stringify(raw)}: invalid syntax`);
  }
  return Number(raw);
}

/** Autopilot's replicated configuration and raft leadership transfer. */
export function operatorRoutes(agent: AgentContext): Route[] {
  return [
    {
      path: '/v1/operator/autopilot/configuration',
      methods: ['GET', 'PUT'],
      handler: async (ctx) => {
        if (ctx.req.method === 'PUT') {
          const cas = casParam(ctx.query);
          const config = await autopilotBody(ctx);
          const stored = await write(ctx, agent, 'Operator.AutopilotSetConfiguration', cas === undefined ? { config } : { config, cas });
          return json(ctx, cas === undefined ? true : stored);
        }
        json(ctx, await read(ctx, agent, 'Operator.AutopilotGetConfiguration', {}));
      },
    },
    {
      path: '/v1/operator/raft/transfer-leader',
      methods: ['PUT', 'POST'],
      handler: async (ctx) => {
        const id = ctx.query.get('id') ?? '';
        await write(ctx, agent, 'Operator.RaftTransferLeader', id === '' ? {} : { id });
        json(ctx, { Success: true });
      },
    },
  ];
}
