import type { KvEntry, KvOp } from '@concord/state';
import type { AgentContext } from '../../agent-context.js';
import { kvBodyLimit } from '../body-limits.js';
import { json, read, write } from '../endpoint-kit.js';
import { type HttpError, badRequest } from '../http-error.js';
import { type RequestContext, decodeSegment, flag, readBody, uint64Param, uintParam } from '../request.js';
import { sendEmpty, sendJsonText } from '../respond.js';
import type { Route } from '../router.js';

const PREFIX = '/v1/kv/';

function keyOf(ctx: RequestContext): string {
  return decodeSegment(ctx.path.slice(PREFIX.length), 'key');
}

async function getKv(ctx: RequestContext, agent: AgentContext): Promise<void> {
  const key = keyOf(ctx);
  const q = ctx.query;
  if (flag(q, 'keys')) {
    const separator = q.get('separator') ?? q.get('seperator') ?? '';
    const value = await read(ctx, agent, 'KVS.ListKeys', { prefix: key, separator });
    if (value.length === 0 && key !== '') return sendEmpty(ctx.res, 404);
    return json(ctx, value);
  }
  if (flag(q, 'recurse')) {
    const value = await read(ctx, agent, 'KVS.List', { prefix: key });
    if (value.length === 0) return sendEmpty(ctx.res, 404);
    return json(ctx, value);
  }
  if (key === '') throw badRequest('Missing key name');
  const value = await read(ctx, agent, 'KVS.Get', { key });
  if (!value) return sendEmpty(ctx.res, 404);
  if (flag(q, 'raw')) {
    const body = value.Value === null ? Buffer.alloc(0) : Buffer.from(value.Value, 'base64');
    ctx.res.statusCode = 200;
    ctx.res.setHeader('Content-Type', 'text/plain');
    ctx.res.setHeader('X-Content-Type-Options', 'nosniff');
    ctx.res.setHeader('Content-Security-Policy', 'sandbox');
    ctx.res.setHeader('Content-Length', body.length);
    ctx.res.end(body);
    return;
  }
  json(ctx, [value]);
}

function conflicting(ctx: RequestContext): HttpError {
  const raw = ctx.req.url?.split('?')[1] ?? '';
  return badRequest(`Conflicting flags: ${raw}`);
}

/** `?acquire=<session>` and `?release=<session>` of a PUT: the lock verbs, with their session. */
export function lockParams(op: KvOp, q: URLSearchParams): void {
  if (q.has('acquire')) {
    op.Verb = 'lock';
    op.Session = q.get('acquire') ?? '';
  } else if (q.has('release')) {
    op.Verb = 'unlock';
    op.Session = q.get('release') ?? '';
  }
}

async function putKv(ctx: RequestContext, agent: AgentContext): Promise<void> {
  const key = keyOf(ctx);
  const q = ctx.query;
  if (key === '') throw badRequest('Missing key name');
  const has = ['cas', 'acquire', 'release'].filter((k) => q.has(k));
  if (has.length > 1) throw conflicting(ctx);
  const flags = uint64Param(q, 'flags', 'Invalid flags: must be an unsigned integer') ?? 0;
  const limit = kvBodyLimit(agent.config);
  const body = await readBody(ctx.req, limit.max, limit.tooLarge);
  const value = body.length === 0 ? null : body.toString('base64');
  const op: KvOp = { Verb: 'set', Key: key, Value: value, Flags: flags };
  if (q.has('cas')) {
    op.Verb = 'cas';
    op.Index = uintParam(q, 'cas', 'Invalid cas index: must be an unsigned integer') ?? 0;
  } else lockParams(op, q);
  const applied = await write(ctx, agent, 'KVS.Apply', { command: { type: 'kv', op } });
  sendJsonText(ctx.res, 200, applied === true ? 'true' : 'false');
}

async function deleteKv(ctx: RequestContext, agent: AgentContext): Promise<void> {
  const key = keyOf(ctx);
  const q = ctx.query;
  const recurse = flag(q, 'recurse');
  if (recurse && q.has('cas')) throw conflicting(ctx);
  if (!recurse && key === '') throw badRequest('Missing key name');
  const op: KvOp = { Verb: recurse ? 'delete-tree' : 'delete', Key: key };
  if (q.has('cas')) {
    op.Verb = 'delete-cas';
    op.Index = uintParam(q, 'cas', 'Invalid cas index: must be an unsigned integer') ?? 0;
  }
  const applied = await write(ctx, agent, 'KVS.Apply', { command: { type: 'kv', op } });
  sendJsonText(ctx.res, 200, applied === true ? 'true' : 'false');
}

export function kvRoutes(agent: AgentContext): Route[] {
  return [
    {
      path: '/v1/kv/*',
      methods: ['GET', 'PUT', 'DELETE'],
      handler: (ctx) => {
        switch (ctx.req.method) {
          case 'PUT':
            return putKv(ctx, agent);
          case 'DELETE':
            return deleteKv(ctx, agent);
          default:
            return getKv(ctx, agent);
        }
      },
    },
  ];
}

export type { KvEntry };
