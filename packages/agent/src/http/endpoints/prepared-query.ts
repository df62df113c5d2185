import { randomUUID } from 'node:crypto';
import type { PreparedQuery } from '@concord/state';
import type { ServerContext } from '../../agent-context.js';
import { hopsOf, originNode } from '../../cluster/http-forward.js';
import { type ExecuteResult, QueryNotFoundError, executePreparedQuery } from '../../query/execute.js';
import { consistencyOf } from '../blocking.js';
import { checkDatacenter, json, read } from '../endpoint-kit.js';
import { HttpError } from '../http-error.js';
import { field, isBody } from '../decode.js';
import { decodePreparedQuery } from '../prepared-query-body.js';
import { type RequestContext, parseJsonBody, pathRest, readBody } from '../request.js';
import { sendEmpty } from '../respond.js';
import type { Route } from '../router.js';

const MAX_BODY = 64 * 1024;
const notFound = () => new HttpError(404, 'Query not found');

/**
 * What `/v1/query/<rest>` asks for, as Consul's TrimPrefix/HasSuffix reading of the path: the ID
 * or name is the whole rest (it may hold `/`), less an `/execute` or `/explain` suffix.
 */
function target(ctx: RequestContext): { id: string; action: 'query' | 'execute' | 'explain' } {
  const rest = pathRest(ctx, 'query id');
  for (const action of ['execute', 'explain'] as const) {
    if (rest.endsWith(`/${action}`)) {
      if (ctx.req.method !== 'GET' && ctx.req.method !== 'HEAD') {
        ctx.res.setHeader('Allow', 'OPTIONS,GET');
        throw new HttpError(405, `method ${ctx.req.method} not allowed`);
      }
      return { id: rest.slice(0, -(action.length + 1)), action };
    }
  }
  return { id: rest, action: 'query' };
}

async function body(ctx: RequestContext): Promise<unknown> {
  return parseJsonBody(await readBody(ctx.req, MAX_BODY, () => 'Request body too large'));
}

/** `?limit=`: Go's strconv.Atoi, so a malformed value is an error (Consul answers 500). */
function limitParam(ctx: RequestContext): number {
  const raw = ctx.query.get('limit');
  if (raw === null || raw === '') return 0;
  if (!/^[+-]?\d{1,18}$/.test(raw)) throw new HttpError(400, `Bad limit: strconv.Atoi: parsing ${JSON.stringify(raw)}: invalid syntax`);
  return Number(raw);
}

/** The QueryMeta fields Consul's execute and explain bodies carry beside the answer. */
function queryMeta(ctx: RequestContext, agent: ServerContext, index: number): Record<string, unknown> {
  return {
    Index: index,
    LastContact: 0,
    KnownLeader: agent.cluster.knownLeader(),
    ConsistencyLevel: consistencyOf(ctx.query),
    NotModified: false,
    Backend: 0,
    ResultsFilteredByACLs: false,
  };
}

/**
 * The client's address for `Near: "_ip"`, as Consul's sourceAddrFromRequest: the first
 * X-Forwarded-For entry, else the peer's address (unknown once a request was forwarded).
 */
function sourceIp(ctx: RequestContext): string | undefined {
  const xff = ctx.req.headers['x-forwarded-for'];
  const first = (Array.isArray(xff) ? xff[0] : xff)?.split(',')[0]?.trim();
  if (first) return first;
  if (hopsOf(ctx.req) > 0) return undefined;
  const peer = ctx.req.socket.remoteAddress;
  return peer?.startsWith('::ffff:') ? peer.slice(7) : peer;
}

/** Runs the query inside a read (consistency flags, X-Consul-* headers); 404 when none answers. */
async function runQuery(ctx: RequestContext, agent: ServerContext, id: string, limit: number): Promise<ExecuteResult> {
  // Executing is never a blocking query in Consul: an `?index=` does not hold the request.
  ctx.query.delete('index');
  let result: ExecuteResult | undefined;
  await read(ctx, agent, () => {
    try {
      result = executePreparedQuery(agent.server.state, id, {
        agentNode: originNode(ctx.req, agent.config.nodeName),
        segment: '',
        near: ctx.query.get('near') ?? undefined,
        ip: sourceIp(ctx),
      }, limit);
    } catch (err) {
      if (err instanceof QueryNotFoundError) throw notFound();
      throw err;
    }
    return { value: result, index: result.index, topics: [] };
  });
  return result as ExecuteResult;
}

export function preparedQueryRoutes(agent: ServerContext): Route[] {
  const state = agent.server.state;
  return [
    {
      path: '/v1/query',
      methods: ['GET', 'POST'],
      handler: async (ctx) => {
        if (ctx.req.method === 'POST') {
          checkDatacenter(ctx, agent);
          const raw = await body(ctx);
          const id = randomUUID();
          if (isBody(raw) && field(raw, 'ID')) {
            throw new HttpError(400, 'Invalid prepared query: ID must be empty when creating a new prepared query');
          }
          await agent.write({ type: 'query-set', op: 'create', query: decodePreparedQuery(raw, id) });
          json(ctx, { ID: id });
          return;
        }
        json(ctx, (await read(ctx, agent, () => state.preparedQueries())).value);
      },
    },
    {
      path: '/v1/query/*',
      methods: ['GET', 'PUT', 'DELETE'],
      handler: async (ctx) => {
        const { id, action } = target(ctx);
        if (action === 'execute') {
          const r = await runQuery(ctx, agent, id, limitParam(ctx));
          json(ctx, {
            Service: r.query.Service.Service,
            Nodes: r.nodes,
            DNS: r.query.DNS,
            Datacenter: agent.config.datacenter,
            PeerName: '',
            Failovers: 0,
            ...queryMeta(ctx, agent, r.index),
          });
          return;
        }
        if (action === 'explain') {
          limitParam(ctx);
          const r = await runQuery(ctx, agent, id, 0);
          json(ctx, { Query: r.query, ...queryMeta(ctx, agent, r.index) });
          return;
        }
        if (ctx.req.method === 'PUT') {
          checkDatacenter(ctx, agent);
          // The ID comes from the URL, never from the body.
          const query: PreparedQuery = decodePreparedQuery(await body(ctx), id);
          await agent.write({ type: 'query-set', op: 'update', query });
          sendEmpty(ctx.res, 200);
          return;
        }
        if (ctx.req.method === 'DELETE') {
          checkDatacenter(ctx, agent);
          await agent.write({ type: 'query-delete', id });
          sendEmpty(ctx.res, 200);
          return;
        }
        const { value } = await read(ctx, agent, () => {
          const r = state.preparedQuery(id);
          if (!r.value) throw notFound();
          return r;
        });
        json(ctx, [value]);
      },
    },
  ];
}
