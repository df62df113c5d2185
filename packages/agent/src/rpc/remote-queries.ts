/**
 * The RemoteQueries of a server, for a method running there: other datacenters through its WAN
 * pool and the typed RPC, or none when the WAN pool is off; `routedRemoteQueries` implements
 * `RemoteQueries` (../query/remote-queries.ts) over any router.
 */
import type { PreparedQuery } from '@concord/state';
import type { ServerContext } from '../agent-context.js';
import type { CallAnswer } from './router.js';
import { type CallOptions, ownCallOptions } from './query-options.js';
import type { RemoteExecuteResult, RemoteQueries } from '../query/remote-queries.js';

export function serverRemoteQueries(agent: ServerContext, request: Pick<CallOptions, 'consistency' | 'token'>): RemoteQueries | undefined {
  if (!agent.wan) return undefined;
  return routedRemoteQueries(
    { known: () => agent.datacenters.known(), call: (name, args, options) => agent.rpc.call(name, args, options) },
    { datacenter: agent.config.datacenter, nodeName: agent.config.nodeName },
    request,
  );
}

/** What `routedRemoteQueries` needs: the known datacenters and a way to call a method in one. */
export interface RemoteQueryRoutes {
  /** Every known datacenter: the local one first, then the others by round trip. */
  known(): string[];
  call(name: 'PreparedQuery.ExecuteRemote', args: { query: PreparedQuery; limit: number }, options: CallOptions): Promise<CallAnswer<RemoteExecuteResult>>;
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
