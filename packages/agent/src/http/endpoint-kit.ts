import type { IncomingMessage } from 'node:http';
import { requestToken as aclRequestToken } from '../acl/request-token.js';
import { parseDuration } from '@concord/goflags';
import type { AgentContext } from '../agent-context.js';
import type { Authorizer } from '../acl/authorizer.js';
import { requestAuthorizer } from '../acl/http-gate.js';
import type { ArgsOf, MethodName, ResultOf } from '../rpc/methods/index.js';
import type { CallMeta, CallOptions } from '../rpc/query-options.js';
import type { CallAnswer } from '../rpc/router.js';
import { consistencyOf, setQueryHeaders } from './blocking.js';
import type { Filter } from '../filter/bexpr.js';
import { compiledFilter } from '../rpc/filter-cache.js';
import { NO_PATH_TO_DATACENTER } from '../rpc/router.js';
import { HttpError, badRequest } from './http-error.js';
import { type RequestContext, uintParam, waitParam } from './request.js';
import { sendJson } from './respond.js';

/**
 * The token of a request, as Consul takes it: `?token=`, then `X-Consul-Token`, then
 * `Authorization: Bearer` ('' for none); the ACL gate reads it the same way.
 */
export function requestToken(req: IncomingMessage, query: URLSearchParams): string {
  return aclRequestToken(req, query) ?? '';
}

/** `?node-meta=key:value` pairs (repeatable). */
function nodeMetaPairs(q: URLSearchParams): [string, string][] {
  return q.getAll('node-meta').map((p) => {
    const at = p.indexOf(':');
    return at === -1 ? [p, ''] : [p.slice(0, at), p.slice(at + 1)];
  });
}

/**
 * The call options of an HTTP request (Consul's `parseQueryOptions` and `parseDC`): datacenter,
 * token, consistency flags, blocking index and wait, filter, node-meta and near.
 */
export function callOptionsOf(ctx: RequestContext, agent: AgentContext): CallOptions {
  const q = ctx.query;
  const consistency = consistencyOf(q);
  const maxStale = q.get('max_stale');
  let maxStaleMs: number | undefined;
  if (maxStale) {
    maxStaleMs = parseDuration(maxStale);
    if (maxStaleMs === undefined) throw badRequest('Invalid max_stale value');
  }
  const near = q.get('near') ?? '';
  return {
    token: requestToken(ctx.req, q),
    datacenter: (q.get('dc') ?? '').toLowerCase(),
    consistency,
    minQueryIndex: uintParam(q, 'index', 'Invalid index') ?? 0,
    maxQueryTimeMs: waitParam(q, agent.config.defaultQueryTimeMs, agent.config.maxQueryTimeMs),
    maxStaleMs,
    filter: q.get('filter') ?? '',
    nodeMeta: nodeMetaPairs(q),
    near: near === '_agent' ? agent.config.nodeName : near,
    originNode: agent.config.nodeName,
    sourceIp: sourceIp(ctx.req),
    hops: 0,
    ...authorizerOf(ctx),
  };
}

/** The authorizer this agent's ACL gate resolved for the request, if any. */
function authorizerOf(ctx: RequestContext): { authorizer?: Authorizer } {
  const authorizer = requestAuthorizer(ctx.req);
  return authorizer ? { authorizer } : {};
}

/**
 * The client's address (prepared queries' `Near: "_ip"`), as Consul's sourceAddrFromRequest:
 * the first X-Forwarded-For entry, else the peer's address.
 */
function sourceIp(req: IncomingMessage): string {
  const xff = req.headers['x-forwarded-for'];
  const first = (Array.isArray(xff) ? xff[0] : xff)?.split(',')[0]?.trim();
  if (first) return first;
  const peer = req.socket?.remoteAddress ?? '';
  return peer.startsWith('::ffff:') ? peer.slice(7) : peer;
}

/** The X-Consul-* headers of a read's answer. */
export function setMetaHeaders(ctx: RequestContext, meta: CallMeta): void {
  setQueryHeaders(ctx, { index: meta.index, knownLeader: meta.knownLeader, lastContactMs: meta.lastContactMs, consistency: meta.consistency });
  if (meta.filteredByAcls) ctx.res.setHeader('X-Consul-Results-Filtered-By-ACLs', 'true');
}

/**
 * Calls a typed method for an HTTP request, wherever it must be answered; the answer's meta
 * becomes the X-Consul-* headers. The request going away cancels the call.
 */
export async function call<K extends MethodName>(
  ctx: RequestContext,
  agent: AgentContext,
  name: K,
  args: ArgsOf<K>,
  over: Partial<CallOptions> = {},
): Promise<CallAnswer<ResultOf<K>>> {
  const options = { ...callOptionsOf(ctx, agent), ...over };
  const ac = new AbortController();
  const onClose = () => ac.abort();
  ctx.res.once('close', onClose);
  try {
    const answer = await agent.rpc.call(name, args, options, ac.signal);
    setMetaHeaders(ctx, answer.meta);
    return answer;
  } finally {
    ctx.res.off('close', onClose);
  }
}

/** A read: the method's result, with the X-Consul-* headers set. */
export async function read<K extends MethodName>(ctx: RequestContext, agent: AgentContext, name: K, args: ArgsOf<K>, over: Partial<CallOptions> = {}): Promise<ResultOf<K>> {
  return (await call(ctx, agent, name, args, over)).value;
}

/** A write: the method's result (blocking and consistency flags do not apply). */
export async function write<K extends MethodName>(ctx: RequestContext, agent: AgentContext, name: K, args: ArgsOf<K>): Promise<ResultOf<K>> {
  const options = callOptionsOf(ctx, agent);
  return (await agent.rpc.call(name, args, { ...options, minQueryIndex: 0, consistency: 'leader' })).value;
}

export function json(ctx: RequestContext, value: unknown, status = 200): void {
  sendJson(ctx.res, status, value, ctx.pretty);
}

/**
 * `?dc=` on an endpoint this agent answers itself (events, its own services) must name this
 * datacenter; another one is Consul's "No path to datacenter".
 */
export function checkDatacenter(ctx: RequestContext, agent: AgentContext): void {
  const dc = ctx.query.get('dc');
  if (dc && dc.toLowerCase() !== agent.config.datacenter) throw new HttpError(500, NO_PATH_TO_DATACENTER);
}

/** The compiled `?filter=` expression of an agent-local list, if any; 400 when malformed. */
export function filterOf(ctx: RequestContext): Filter | undefined {
  return compiledFilter(ctx.query.get('filter') ?? '');
}

export function applyFilter<T>(items: T[], filter: Filter | undefined): T[] {
  return filter ? items.filter((x) => filter(x)) : items;
}
