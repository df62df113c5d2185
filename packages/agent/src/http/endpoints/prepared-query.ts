import { randomUUID } from 'node:crypto';
import type { PreparedQuery } from '@concord/state';
import type { AgentContext } from '../../agent-context.js';
import type { FailoverExecuteResult } from '../../query/execute.js';
import type { CallMeta } from '../../rpc/query-options.js';
import { call, json, read, write } from '../endpoint-kit.js';
import { HttpError } from '../http-error.js';
import { field, isBody } from '../../decode/body.js';
import { decodePreparedQuery } from '../../decode/prepared-query-body.js';
import { type RequestContext, parseJsonBody, pathRest, readBody } from '../request.js';
import { sendEmpty } from '../respond.js';
import type { Route } from '../router.js';

const MAX_BODY = 64 * 1024;

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
function queryMeta(meta: CallMeta): Record<string, unknown> {
  return {
    Index: meta.index,
    LastContact: meta.lastContactMs,
    KnownLeader: meta.knownLeader,
    ConsistencyLevel: meta.consistency,
    NotModified: false,
    Backend: 0,
    ResultsFilteredByACLs: meta.filteredByAcls,
  };
}

/** Runs the query (never a blocking query in Consul: an `?index=` does not hold the request). */
function runQuery(ctx: RequestContext, agent: AgentContext, id: string, limit: number): Promise<{ value: FailoverExecuteResult; meta: CallMeta }> {
  return call(ctx, agent, 'PreparedQuery.Execute', { id, limit }, { minQueryIndex: 0 });
}

export function preparedQueryRoutes(agent: AgentContext): Route[] {
  return [
    {
      path: '/v1/query',
      methods: ['GET', 'POST'],
      handler: async (ctx) => {
        if (ctx.req.method === 'POST') {
          const raw = await body(ctx);
          const id = randomUUID();
          if (isBody(raw) && field(raw, 'ID')) {
            throw new HttpError(400, 'Invalid prepared query: ID must be empty when creating a new prepared query');
          }
          await write(ctx, agent, 'PreparedQuery.Apply', { command: { type: 'query-set', op: 'create', query: decodePreparedQuery(raw, id) } });
          json(ctx, { ID: id });
          return;
        }
        json(ctx, await read(ctx, agent, 'PreparedQuery.List', {}));
      },
    },
    {
      path: '/v1/query/*',
      methods: ['GET', 'PUT', 'DELETE'],
      handler: async (ctx) => {
        const { id, action } = target(ctx);
        if (action === 'execute') {
          const { value: r, meta } = await runQuery(ctx, agent, id, limitParam(ctx));
          json(ctx, {
            Service: r.query.Service.Service,
            Nodes: r.nodes,
            DNS: r.query.DNS,
            Datacenter: r.datacenter,
            PeerName: '',
            Failovers: r.failovers,
            ...queryMeta(meta),
          });
          return;
        }
        if (action === 'explain') {
          limitParam(ctx);
          const { value: r, meta } = await runQuery(ctx, agent, id, 0);
          json(ctx, { Query: r.query, ...queryMeta(meta) });
          return;
        }
        if (ctx.req.method === 'PUT') {
          // The ID comes from the URL, never from the body.
          const query: PreparedQuery = decodePreparedQuery(await body(ctx), id);
          await write(ctx, agent, 'PreparedQuery.Apply', { command: { type: 'query-set', op: 'update', query } });
          sendEmpty(ctx.res, 200);
          return;
        }
        if (ctx.req.method === 'DELETE') {
          await write(ctx, agent, 'PreparedQuery.Apply', { command: { type: 'query-delete', id } });
          sendEmpty(ctx.res, 200);
          return;
        }
        json(ctx, [await read(ctx, agent, 'PreparedQuery.Get', { id })]);
      },
    },
  ];
}
