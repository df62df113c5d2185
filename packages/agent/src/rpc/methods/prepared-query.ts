/** Consul's PreparedQuery endpoint: definitions through raft, reads, and execution. */
import { notFound } from '../../errors/agent-error.js';
import { decodePreparedQuery } from '../../decode/prepared-query-body.js';
import { type FailoverExecuteResult, QueryNotFoundError, executeDefinition, executePreparedQuery, failOverIfEmpty } from '../../query/execute.js';
import type { RemoteExecuteResult } from '../../query/remote-queries.js';
import { serverRemoteQueries } from '../remote-queries.js';
import { ArgsError, num, record, str } from '../args.js';
import { type CallResult, callMethod, queryMethod } from '../method.js';
import { applyMethod } from './apply.js';

const queryNotFound = () => notFound('Query not found');

export const preparedQueryMethods = {
  'PreparedQuery.Apply': applyMethod(['query-set', 'query-delete']),
  'PreparedQuery.List': queryMethod(
    (raw) => (record(raw), {}),
    ({ agent }) => agent.server.state.preparedQueries(),
  ),
  'PreparedQuery.Get': queryMethod(
    (raw) => ({ id: str(record(raw), 'id') }),
    ({ agent }, { id }) => {
      const r = agent.server.state.preparedQuery(id);
      if (!r.value) throw queryNotFound();
      return r;
    },
  ),
  /**
   * Runs a query from the node the request arrived at; never a blocking query, as in Consul.
   * With no instance left here it fails over to other datacenters (query/failover.ts).
   */
  'PreparedQuery.Execute': callMethod(
    'read',
    (raw) => {
      const r = record(raw);
      return { id: str(r, 'id'), limit: num(r, 'limit') };
    },
    async ({ agent, options }, { id, limit }): Promise<CallResult<FailoverExecuteResult>> => {
      let local;
      try {
        local = executePreparedQuery(
          agent.server.state,
          id,
          {
            agentNode: options.originNode || agent.config.nodeName,
            segment: '',
            near: options.near || undefined,
            ip: options.sourceIp || undefined,
          },
          limit,
        );
      } catch (err) {
        if (err instanceof QueryNotFoundError) throw queryNotFound();
        throw err;
      }
      const result = await failOverIfEmpty(local, agent.config.datacenter, serverRemoteQueries(agent, options), limit, agent.logger);
      return { value: result, index: local.index };
    },
  ),
  /**
   * Consul's ExecuteRemote: a whole query definition sent by another datacenter's server during
   * failover, run here without failover of its own, shuffled and limited.
   */
  'PreparedQuery.ExecuteRemote': callMethod(
    'read',
    (raw) => {
      const r = record(raw);
      const q = r.query;
      const id = typeof q === 'object' && q !== null && typeof (q as { ID?: unknown }).ID === 'string' ? (q as { ID: string }).ID : '';
      const limit = num(r, 'limit');
      if (!Number.isInteger(limit) || limit < 0) throw new ArgsError('limit must be a whole number');
      return { query: decodePreparedQuery(q, id), limit };
    },
    async ({ agent }, { query, limit }): Promise<CallResult<RemoteExecuteResult>> => ({ value: executeDefinition(agent.server.state, query, limit) }),
  ),
};
