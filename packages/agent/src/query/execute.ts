/**
 * Running a prepared query in the local datacenter, as Consul's `PreparedQuery.Execute`: resolve
 * the ID or name (rendering templates), select the instances, shuffle them, sort them by RTT from
 * the query source when one is named (`?near=`, else the query's `Near`; `_agent` is the agent
 * asked, `_ip` the node whose address is the client's), then apply the limit. Failover to other
 * datacenters is not run: `Failovers` is always 0.
 */
import type { HealthServiceEntry, PreparedQuery, StateStore } from '@concord/state';
import { sortByDistance } from './near-sort.js';
import { type FailoverLogger, runFailover } from './failover.js';
import type { RemoteExecuteResult, RemoteQueries } from './remote-queries.js';

export interface ExecuteSource {
  /** The agent the request arrived at (`_agent`). */
  agentNode: string;
  /** That agent's network segment (`${agent.segment}`); "" in Concord. */
  segment: string;
  /** `?near=` from the request; takes priority over the query's own `Near`. */
  near?: string | undefined;
  /** The client's IP address, for `Near: "_ip"` (DNS lookups). */
  ip?: string | undefined;
}

export interface ExecuteResult {
  query: PreparedQuery;
  nodes: HealthServiceEntry[];
  /** Whether the nodes are in RTT order (a DNS answer must then keep that order). */
  sorted: boolean;
  index: number;
}

export class QueryNotFoundError extends Error {
  constructor() {
    super('Query not found');
  }
}

export function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

/** Resolves and runs a query; throws QueryNotFoundError, or StateError for unusable names. */
export function executePreparedQuery(state: StateStore, idOrName: string, source: ExecuteSource, limit = 0): ExecuteResult {
  const resolved = state.resolvePreparedQuery(idOrName, { Segment: source.segment });
  const query = resolved.value;
  if (!query) throw new QueryNotFoundError();
  const selected = state.preparedQueryNodes(query);
  let nodes = shuffle([...selected.value]);
  let near: string | undefined = source.near || query.Service.Near;
  if (near === '_agent') near = source.agentNode;
  else if (near === '_ip') near = source.ip ? state.nodes().value.find((n) => n.Address === source.ip)?.Node : undefined;
  if (near) {
    nodes = sortByDistance(nodes, (e) => e.Node.Node, near, state);
    // The source node itself goes first, when it is among the first ten.
    const at = nodes.slice(0, 10).findIndex((e) => e.Node.Node === near);
    if (at > 0) [nodes[0], nodes[at]] = [nodes[at] as HealthServiceEntry, nodes[0] as HealthServiceEntry];
  }
  if (limit > 0 && nodes.length > limit) nodes = nodes.slice(0, limit);
  return { query, nodes, sorted: Boolean(near), index: Math.max(resolved.index, selected.index) };
}

/** A local result, or the answer of the datacenter the query failed over to. */
export interface FailoverExecuteResult extends ExecuteResult {
  /** The datacenter whose instances these are (Consul's `Datacenter` in the answer). */
  datacenter: string;
  /** How many other datacenters were asked (Consul's `Failovers`). */
  failovers: number;
}

/**
 * Consul's Execute after the local run: with no local instance left, the query's failover
 * datacenters are asked in order (none when `remote` is undefined: no WAN pool). Synchronous
 * when nothing has to be asked.
 */
export function failOverIfEmpty(
  local: ExecuteResult,
  localDatacenter: string,
  remote: RemoteQueries | undefined,
  limit: number,
  logger?: FailoverLogger,
): FailoverExecuteResult | Promise<FailoverExecuteResult> {
  if (local.nodes.length > 0 || !remote) return { ...local, datacenter: localDatacenter, failovers: 0 };
  return runFailover(local.query, remote, limit, localDatacenter, logger).then((f) => ({
    ...local,
    nodes: f.nodes,
    // Remote answers are shuffled there, never sorted by distance from here.
    sorted: f.failovers > 0 ? false : local.sorted,
    datacenter: f.datacenter,
    failovers: f.failovers,
  }));
}

/** Consul's ExecuteRemote: a query definition from another datacenter, run here and shuffled, then limited. */
export function executeDefinition(state: StateStore, query: PreparedQuery, limit: number): RemoteExecuteResult {
  let nodes = shuffle([...state.preparedQueryNodes(query).value]);
  if (limit > 0 && nodes.length > limit) nodes = nodes.slice(0, limit);
  return { Service: query.Service.Service, Nodes: nodes, DNS: query.DNS, Datacenter: state.datacenter };
}
