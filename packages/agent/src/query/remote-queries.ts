/**
 * Running a prepared query in another datacenter, as Consul's `PreparedQuery.ExecuteRemote`:
 * the whole (already resolved and rendered) query travels, since the other datacenter does not
 * hold it, and is run there without failover of its own. `RemoteQueries` is the narrow seam the
 * failover logic calls; `routedRemoteQueries` (../rpc/remote-queries.ts) implements it over the
 * typed server RPC.
 */
import type { HealthServiceEntry, PreparedQuery } from '@concord/state';

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
