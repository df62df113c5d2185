import { SESSION_BODY_LIMIT } from '../body-limits.js';
import { randomUUID } from 'node:crypto';
import type { SessionBehavior } from '@concord/state';
import type { AgentContext } from '../../agent-context.js';
import { durationFromJson, durationNanosText, formatDuration, goDurationError } from '@concord/goflags';
import { field, isBody, optString, optStringList, rejectUnknown } from '../../decode/body.js';
import { json, read, write } from '../endpoint-kit.js';
import { HttpError, badRequest } from '../http-error.js';
import { type RequestContext, parseJsonBody, readBody, requiredPathRest } from '../request.js';
import type { Route } from '../router.js';

const FIELDS = ['ID', 'Name', 'Node', 'Checks', 'NodeChecks', 'ServiceChecks', 'LockDelay', 'Behavior', 'TTL', 'Namespace', 'Partition'];
const MAX_TTL_MS = 86_400_000;

/** LockDelay: a duration or a number; values below 1000 (ns or parsed) are taken as seconds. */
function lockDelayNs(raw: unknown): number {
  if (raw === undefined || raw === null || raw === '') return 15e9;
  let ns: number | undefined;
  if (typeof raw === 'number' && Number.isFinite(raw) && raw >= 0) ns = raw;
  else if (typeof raw === 'string') {
    const ms = durationFromJson(raw);
    ns = ms === undefined ? (/^\d+$/.test(raw) ? Number(raw) : undefined) : ms * 1e6;
  }
  if (ns === undefined || ns < 0) throw badRequest(`Request decode failed: invalid LockDelay ${JSON.stringify(raw)}`);
  if (ns < 1000) ns *= 1e9;
  if (ns > 60e9) throw badRequest('LockDelay cannot be more than 60 seconds');
  return Math.round(ns);
}

async function create(ctx: RequestContext, agent: AgentContext): Promise<void> {
  const body = parseJsonBody(await readBody(ctx.req, SESSION_BODY_LIMIT, () => 'Request body too large'));
  const raw = body ?? {};
  if (!isBody(raw)) throw badRequest('Request decode failed: body must be a JSON object');
  rejectUnknown(raw, FIELDS, 'session');
  const behavior = optString(raw, 'Behavior') || 'release';
  if (behavior !== 'release' && behavior !== 'delete') throw new HttpError(500, `Invalid Behavior setting '${behavior}'`);
  const ttlRaw = field(raw, 'TTL');
  let ttl = '';
  if (ttlRaw !== undefined && ttlRaw !== null && ttlRaw !== '' && ttlRaw !== '0') {
    if (typeof ttlRaw !== 'string') throw badRequest(`Request decode failed: invalid TTL ${JSON.stringify(ttlRaw)}`);
    const ms = durationFromJson(ttlRaw);
    const ns = durationNanosText(ttlRaw);
    // Consul's Session.Apply words both errors this way, and its HTTP layer answers them with 500.
    if (ms === undefined || ns === undefined) throw new HttpError(500, `Session TTL '${ttlRaw}' invalid: ${goDurationError(ttlRaw)}`);
    const min = agent.config.sessionTtlMinMs;
    if (ms !== 0 && (ms < min || ms > MAX_TTL_MS)) {
      throw new HttpError(500, `Invalid Session TTL '${ns}', must be between [${formatDuration(min)}=${formatDuration(MAX_TTL_MS)}]`);
    }
    // Consul keeps the TTL string as given ("60s" stays "60s").
    ttl = ms === 0 ? '' : (ttlRaw as string);
  }
  const legacy = optStringList(raw, 'Checks');
  const nodeChecks = optStringList(raw, 'NodeChecks');
  const serviceChecksRaw = field(raw, 'ServiceChecks');
  let serviceChecks: { ID: string }[] | null = null;
  if (serviceChecksRaw !== undefined && serviceChecksRaw !== null) {
    if (!Array.isArray(serviceChecksRaw) || serviceChecksRaw.some((c) => !isBody(c) || typeof field(c, 'ID') !== 'string')) {
      throw badRequest('Request decode failed: ServiceChecks must be a list of {"ID": "..."}');
    }
    serviceChecks = serviceChecksRaw.map((c) => ({ ID: field(c, 'ID') as string }));
  }
  let checks: string[] | null;
  if (nodeChecks !== undefined || legacy !== undefined) checks = [...(legacy ?? []), ...(nodeChecks ?? [])];
  else checks = serviceChecks ? [] : ['serfHealth'];
  const id = randomUUID();
  await write(ctx, agent, 'Session.Apply', {
    command: {
      type: 'session-create',
      session: {
        ID: id,
        Name: optString(raw, 'Name') ?? '',
        Node: optString(raw, 'Node') || agent.config.nodeName,
        LockDelay: lockDelayNs(field(raw, 'LockDelay')),
        Behavior: behavior as SessionBehavior,
        TTL: ttl,
        NodeChecks: checks,
        ServiceChecks: serviceChecks,
      },
    },
  });
  json(ctx, { ID: id });
}

function sessionId(ctx: RequestContext): string {
  return requiredPathRest(ctx, 'session id', 'Missing session');
}

async function destroy(ctx: RequestContext, agent: AgentContext): Promise<void> {
  const id = sessionId(ctx);
  await write(ctx, agent, 'Session.Apply', { command: { type: 'session-destroy', id } });
  json(ctx, true);
}

async function renew(ctx: RequestContext, agent: AgentContext): Promise<void> {
  json(ctx, await write(ctx, agent, 'Session.Renew', { id: sessionId(ctx) }));
}

export function sessionRoutes(agent: AgentContext): Route[] {
  return [
    { path: '/v1/session/create', methods: ['PUT'], handler: (ctx) => create(ctx, agent) },
    { path: '/v1/session/destroy/*', methods: ['PUT'], handler: (ctx) => destroy(ctx, agent) },
    { path: '/v1/session/renew/*', methods: ['PUT'], handler: (ctx) => renew(ctx, agent) },
    {
      path: '/v1/session/info/*',
      methods: ['GET'],
      handler: async (ctx) => json(ctx, await read(ctx, agent, 'Session.Get', { id: sessionId(ctx) })),
    },
    {
      path: '/v1/session/node/*',
      methods: ['GET'],
      handler: async (ctx) => {
        const node = requiredPathRest(ctx, 'node', 'Missing node name');
        json(ctx, await read(ctx, agent, 'Session.NodeSessions', { node }));
      },
    },
    { path: '/v1/session/list', methods: ['GET'], handler: async (ctx) => json(ctx, await read(ctx, agent, 'Session.List', {})) },
  ];
}
