/** Consul's PreparedQuery endpoint: definitions through raft, reads, and execution. */
import { HttpError } from '../../http/http-error.js';
import { QueryNotFoundError, executePreparedQuery } from '../../query/execute.js';
import { num, record, str } from '../args.js';
import { queryMethod } from '../method.js';
import { applyMethod } from './apply.js';

export const notFound = () => new HttpError(404, 'Query not found');

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
      if (!r.value) throw notFound();
      return r;
    },
  ),
  /** Runs a query from the node the request arrived at; never a blocking query, as in Consul. */
  'PreparedQuery.Execute': queryMethod(
    (raw) => {
      const r = record(raw);
      return { id: str(r, 'id'), limit: num(r, 'limit') };
    },
    ({ agent, options }, { id, limit }) => {
      try {
        const result = executePreparedQuery(
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
        return { value: result, index: result.index, topics: [] };
      } catch (err) {
        if (err instanceof QueryNotFoundError) throw notFound();
        throw err;
      }
    },
  ),
};
