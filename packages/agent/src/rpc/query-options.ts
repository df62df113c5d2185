/**
 * What every typed RPC call carries beside its arguments (Consul's `structs.QueryOptions` and
 * `WriteRequest`), and what every reply carries beside its result (`structs.QueryMeta`), with
 * their wire forms (proto/agent.proto `QueryOptions` and `QueryMeta`).
 */
import type { Authorizer } from '../acl/authorizer.js';
import type { QueryMeta__Output } from '../gen/concord/agent/v1/QueryMeta.js';
import type { QueryOptions, QueryOptions__Output } from '../gen/concord/agent/v1/QueryOptions.js';

/** `leader`: the default mode; `stale`: any server; `consistent`: the leader after a barrier. */
export type Consistency = 'leader' | 'stale' | 'consistent';

export interface CallOptions {
  /** The request's ACL token ('' for none: the agent's default token applies). */
  token: string;
  /** The datacenter that must answer ('' for the caller's own). */
  datacenter: string;
  consistency: Consistency;
  /** Non-zero: a blocking query that returns once the index moves past this. */
  minQueryIndex: number;
  /** The blocking wait, already bounded by the agent's `max_query_time`. */
  maxQueryTimeMs: number;
  /** `?max_stale`: a stale read whose server lost contact for longer is answered by the leader. */
  maxStaleMs: number | undefined;
  /** A bexpr filter over the result ('' for none). */
  filter: string;
  /** `?node-meta` pairs, all of which must match. */
  nodeMeta: [string, string][];
  /** `?near=` (already resolved from `_agent`), '' for none. */
  near: string;
  /** The node the request first arrived at. */
  originNode: string;
  /** The client's address as the first agent saw it ('' when unknown). */
  sourceIp: string;
  /** Servers the call passed through. */
  hops: number;
  /**
   * The token's authorizer when this agent already resolved it for the request (its HTTP gate):
   * a call answered in this same process uses it rather than resolving the token again. It never
   * travels; a server that receives a call resolves the token itself.
   */
  authorizer?: Authorizer;
}

export interface CallMeta {
  index: number;
  knownLeader: boolean;
  lastContactMs: number;
  consistency: Consistency;
  /** Some results were left out because the token may not read them. */
  filteredByAcls: boolean;
}

/** The options of a call the agent makes for itself (anti-entropy, DNS, caches). */
export function ownCallOptions(originNode: string, over: Partial<CallOptions> = {}): CallOptions {
  return {
    token: '',
    datacenter: '',
    consistency: 'leader',
    minQueryIndex: 0,
    maxQueryTimeMs: 0,
    maxStaleMs: undefined,
    filter: '',
    nodeMeta: [],
    near: '',
    originNode,
    sourceIp: '',
    hops: 0,
    ...over,
  };
}

const TO_WIRE = { leader: 'LEADER', stale: 'STALE', consistent: 'CONSISTENT' } as const;
const FROM_WIRE: Record<string, Consistency> = { LEADER: 'leader', STALE: 'stale', CONSISTENT: 'consistent' };

export function optionsToWire(o: CallOptions): QueryOptions {
  return {
    token: o.token,
    datacenter: o.datacenter,
    consistency: TO_WIRE[o.consistency],
    minQueryIndex: o.minQueryIndex,
    maxQueryTimeMs: o.maxQueryTimeMs,
    hasMaxStale: o.maxStaleMs !== undefined,
    maxStaleMs: o.maxStaleMs ?? 0,
    filter: o.filter,
    nodeMeta: o.nodeMeta.map(([key, value]) => ({ key, value })),
    near: o.near,
    originNode: o.originNode,
    hops: o.hops,
    sourceIp: o.sourceIp,
  };
}

/** The limits a server puts on options from the wire, whatever the caller sent. */
export interface OptionBounds {
  maxQueryTimeMs: number;
}

const MAX_FIELD = 64 * 1024;

export function optionsFromWire(w: QueryOptions__Output | null | undefined, bounds: OptionBounds): CallOptions {
  if (!w) throw new RangeError('missing query options');
  for (const s of [w.token, w.datacenter, w.filter, w.near, w.originNode, w.sourceIp]) {
    if (s.length > MAX_FIELD) throw new RangeError('query option too long');
  }
  if (w.nodeMeta.length > 64) throw new RangeError('too many node-meta filters');
  const consistency = FROM_WIRE[w.consistency];
  if (!consistency) throw new RangeError(`unknown consistency ${w.consistency}`);
  return {
    token: w.token,
    datacenter: w.datacenter,
    consistency,
    minQueryIndex: w.minQueryIndex,
    maxQueryTimeMs: Math.min(w.maxQueryTimeMs, bounds.maxQueryTimeMs),
    maxStaleMs: w.hasMaxStale ? w.maxStaleMs : undefined,
    filter: w.filter,
    nodeMeta: w.nodeMeta.map((p) => [p.key, p.value]),
    near: w.near,
    originNode: w.originNode,
    sourceIp: w.sourceIp,
    hops: w.hops,
  };
}

export function metaToWire(m: CallMeta): QueryMeta__Output {
  return {
    index: m.index,
    knownLeader: m.knownLeader,
    lastContactMs: Math.max(0, Math.round(m.lastContactMs)),
    consistency: TO_WIRE[m.consistency],
    resultsFilteredByAcls: m.filteredByAcls,
  };
}

export function metaFromWire(w: QueryMeta__Output | null | undefined): CallMeta {
  return {
    index: w?.index ?? 0,
    knownLeader: w?.knownLeader ?? false,
    lastContactMs: w?.lastContactMs ?? 0,
    consistency: FROM_WIRE[w?.consistency ?? 'LEADER'] ?? 'leader',
    filteredByAcls: w?.resultsFilteredByAcls ?? false,
  };
}
