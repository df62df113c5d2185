/**
 * Running a prepared query in another datacenter, as Consul's `PreparedQuery.ExecuteRemote`:
 * the whole (already resolved and rendered) query travels, since the other datacenter does not
 * hold it, and is run there without failover of its own. `RemoteQueries` is the narrow seam the
 * failover logic calls; `routedRemoteQueries` implements it over the typed server RPC.
 */
import type { HealthServiceEntry, PreparedQuery } from '@concord/state';
import type { CallAnswer } from '../rpc/router.js';
import { type CallOptions, ownCallOptions } from '../rpc/query-options.js';

/** What a remote execution answers: Consul's `PreparedQueryExecuteResponse` less the QueryMeta. */
export interface RemoteExecuteResult {
  Service: string;
  Nodes: HealthServiceEntry[];
  DNS: { TTL: string };
  /** The datacenter that ran the query. */
  Datacenter: string;
}

export interface RemoteQueries {
  /** Every other known datacenter, nearest first by estimated WAN round trip. */
  otherDatacentersByDistance(): string[];
  /** Runs `query` in `dc`; rejects when the datacenter cannot be reached or refuses. */
  execute(dc: string, query: PreparedQuery, limit: number): Promise<RemoteExecuteResult>;
}

/** What `routedRemoteQueries` needs: the known datacenters and a way to call a method in one. */
export interface RemoteQueryRoutes {
  /** Every known datacenter: the local one first, then the others by round trip. */
  known(): string[];
  call(
    name: 'PreparedQuery.ExecuteRemote',
    args: { query: PreparedQuery; limit: number },
    options: CallOptions,
  ): Promise<CallAnswer<RemoteExecuteResult>>;
}

/**
 * RemoteQueries over the typed RPC. `consistency` and `token` are those of the request that
 * failed over, passed along as Consul does.
 */
export function routedRemoteQueries(
  routes: RemoteQueryRoutes,
  local: { datacenter: string; nodeName: string },
  request: Pick<CallOptions, 'consistency' | 'token'> = { consistency: 'leader', token: '' },
): RemoteQueries {
  return {
    otherDatacentersByDistance: () => routes.known().filter((dc) => dc !== local.datacenter),
    async execute(dc, query, limit) {
      const options = ownCallOptions(local.nodeName, { datacenter: dc, consistency: request.consistency, token: request.token });
      return (await routes.call('PreparedQuery.ExecuteRemote', { query, limit }, options)).value;
    },
  };
}
