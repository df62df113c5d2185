import type { QueryResult } from '@concord/state';
import type { AgentContext, ServerContext } from '../agent-context.js';
import { type Consistency, blockingQuery, consistencyOf, setQueryHeaders } from './blocking.js';
import { HttpError, badRequest } from './http-error.js';
import { type Body, optString, rejectUnknown } from './decode.js';
import { type RequestContext, readJsonObject } from './request.js';
import { parseDuration } from '@concord/goflags';
import { sendJson } from './respond.js';
import { NO_PATH_TO_DATACENTER } from '../cluster/datacenter-router.js';
import { type Filter, FilterError, compileFilter } from '../filter/bexpr.js';

/**
 * `?dc=` must name this datacenter. A server sends requests for another datacenter there
 * before they reach a handler (`DatacenterRouter`); one that still names another is refused.
 */
export function checkDatacenter(ctx: RequestContext, agent: AgentContext): void {
  requireLocalDatacenter(ctx.query.get('dc'), agent);
}

/** A datacenter named by a request (query or body) must be this one; empty means this one. */
function requireLocalDatacenter(dc: string | null | undefined, agent: AgentContext): void {
  if (dc && dc.toLowerCase() !== agent.config.datacenter) throw new HttpError(500, NO_PATH_TO_DATACENTER);
}

/**
 * The body of a write about one node (catalog register and deregister, coordinate update):
 * a JSON object with only `fields`, and a `Node`. Consul routes these writes by the body's
 * `Datacenter` (this one when empty): one naming another datacenter is sent there and answered
 * from there, and this returns undefined; it is never applied here.
 */
export async function nodeWriteBody(
  ctx: RequestContext,
  agent: ServerContext,
  fields: readonly string[],
  what: string,
): Promise<{ raw: Body; node: string } | undefined> {
  checkDatacenter(ctx, agent);
  const raw = await readJsonObject(ctx);
  rejectUnknown(raw, fields, what);
  const dc = optString(raw, 'Datacenter');
  if (agent.datacenters.isRemote(dc)) {
    await agent.datacenters.forwardWithBody(dc, ctx.req, ctx.res, Buffer.from(JSON.stringify(raw)));
    return undefined;
  }
  const node = optString(raw, 'Node');
  if (!node) throw badRequest('Must provide node');
  return { raw, node };
}

/** Runs a read with Consul's consistency flags, blocking semantics and X-Consul-* headers. */
export async function read<T>(
  ctx: RequestContext,
  agent: ServerContext,
  run: () => QueryResult<T>,
): Promise<QueryResult<T>> {
  checkDatacenter(ctx, agent);
  const consistency: Consistency = consistencyOf(ctx.query);
  const cluster = agent.cluster;
  if (consistency === 'stale') {
    const maxStale = ctx.query.get('max_stale');
    const limit = maxStale ? parseDuration(maxStale) : undefined;
    if (maxStale && limit === undefined) throw badRequest('Invalid max_stale value');
    if (limit !== undefined && cluster.lastContactMs() > limit) {
      // Too stale to answer here: the leader answers instead (Consul retries against the leader).
      await cluster.consistentBarrier();
    }
  } else if (consistency === 'consistent') {
    await cluster.consistentBarrier();
  }
  const result = await blockingQuery(ctx, agent.query, run);
  setQueryHeaders(ctx, {
    index: result.index,
    knownLeader: cluster.knownLeader(),
    lastContactMs: consistency === 'stale' ? cluster.lastContactMs() : 0,
    consistency,
  });
  return result;
}

/** The compiled `?filter=` expression, if any; 400 when malformed. */
export function filterOf(ctx: RequestContext): Filter | undefined {
  const expr = ctx.query.get('filter');
  if (expr === null || expr.trim() === '') return undefined;
  try {
    return compileFilter(expr);
  } catch (err) {
    if (err instanceof FilterError) throw badRequest(`Failed to create boolean expression evaluator: ${err.message}`);
    throw err;
  }
}

export function applyFilter<T>(items: T[], filter: Filter | undefined): T[] {
  return filter ? items.filter((x) => filter(x)) : items;
}

export function json(ctx: RequestContext, value: unknown, status = 200): void {
  sendJson(ctx.res, status, value, ctx.pretty);
}

/** `?node-meta=key:value` (repeatable) filter on node metadata. */
export function nodeMetaFilter(ctx: RequestContext): ((meta: Record<string, string>) => boolean) | undefined {
  const pairs = ctx.query.getAll('node-meta');
  if (pairs.length === 0) return undefined;
  const wanted = pairs.map((p) => {
    const at = p.indexOf(':');
    return at === -1 ? [p, ''] : [p.slice(0, at), p.slice(at + 1)];
  });
  return (meta) => wanted.every(([k, v]) => meta[k as string] === v);
}
