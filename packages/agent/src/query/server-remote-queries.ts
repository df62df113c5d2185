/**
 * The RemoteQueries of a server, for a method running there: other datacenters through its WAN
 * pool and the typed RPC, or none when the WAN pool is off.
 */
import type { ServerContext } from '../agent-context.js';
import type { CallOptions } from '../rpc/query-options.js';
import { type RemoteQueries, routedRemoteQueries } from './remote-queries.js';

export function serverRemoteQueries(agent: ServerContext, request: Pick<CallOptions, 'consistency' | 'token'>): RemoteQueries | undefined {
  if (!agent.wan) return undefined;
  return routedRemoteQueries(
    { known: () => agent.datacenters.known(), call: (name, args, options) => agent.rpc.call(name, args, options) },
    { datacenter: agent.config.datacenter, nodeName: agent.config.nodeName },
    request,
  );
}
