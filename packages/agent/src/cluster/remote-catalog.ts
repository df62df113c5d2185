/**
 * Catalog reads of an agent answered by a server through the typed RPC (`Internal.*`): the DNS
 * view and the view of this node that anti-entropy and alias checks need.
 */
import { UnknownDatacenterError } from '../dns/catalog.js';
import type { DnsCatalog, DnsNode, DnsQueryResult, DnsServiceAddressOwner, DnsServiceInstance } from '../dns/catalog.js';
import { NO_PATH_TO_DATACENTER } from '../errors/agent-error.js';
import { isNoPathToDatacenter } from '../errors/http-status.js';
import type { NodeCatalogView } from '../local/anti-entropy.js';
import type { ArgsOf, MethodName, ResultOf } from '../rpc/methods/index.js';
import type { CallOptions } from '../rpc/query-options.js';
import type { CallAnswer } from '../rpc/router.js';

/** Calls a typed method for the agent's own work. */
export type InternalCall = <K extends MethodName>(name: K, args: ArgsOf<K>, options?: Partial<CallOptions>) => Promise<CallAnswer<ResultOf<K>>>;

/** A call whose datacenter cannot be reached fails as DNS expects (NXDOMAIN for an unknown one). */
async function answerValue<K extends MethodName>(call: InternalCall, name: K, args: ArgsOf<K>, options: Partial<CallOptions>): Promise<ResultOf<K>> {
  try {
    return (await call(name, args, options)).value;
  } catch (err) {
    if (isNoPathToDatacenter(err)) throw new UnknownDatacenterError(NO_PATH_TO_DATACENTER);
    throw err;
  }
}

/**
 * The DNS view through a server: with `stale` (Consul's `allow_stale` default) any server
 * answers from its own state, without it the leader does. `datacenter` names the datacenter
 * whose servers answer (this one or another).
 */
export function remoteDnsCatalog(call: InternalCall, datacenter: string, options: { stale?: boolean; cacheMs?: number; remote?: boolean } = {}): DnsCatalog {
  const cacheMs = options.cacheMs ?? 1000;
  const o: Partial<CallOptions> = { consistency: (options.stale ?? true) ? 'stale' : 'leader', ...(options.remote ? { datacenter } : {}) };
  return {
    datacenter,
    // Answers are cached for at most `cacheMs`: the index moves on with the clock.
    get index() {
      return Math.floor(Date.now() / cacheMs);
    },
    async serviceInstances(service, tag) {
      return (await answerValue(call, 'Internal.DNSServiceInstances', tag ? { service, tag } : { service }, o)) as DnsServiceInstance[];
    },
    async node(name) {
      return ((await answerValue(call, 'Internal.DNSNode', { node: name }, o)) as DnsNode | null) ?? undefined;
    },
    async nodes() {
      return (await answerValue(call, 'Internal.DNSNodes', {}, o)) as DnsNode[];
    },
    async preparedQuery(idOrName, clientIp) {
      const r = await answerValue(call, 'Internal.DNSPreparedQuery', { query: idOrName }, { ...o, sourceIp: clientIp ?? '' });
      return (r as DnsQueryResult | null) ?? undefined;
    },
    async serviceByAddress(ip) {
      return ((await answerValue(call, 'Internal.DNSServiceByAddress', { address: ip }, o)) as DnsServiceAddressOwner | null) ?? undefined;
    },
  };
}

/**
 * A server's DNS view under `dns_config.allow_stale`/`max_stale`: its own state while that is
 * allowed and fresh enough, the leader's otherwise.
 */
export function freshnessDnsCatalog(local: DnsCatalog, leader: DnsCatalog, useLocal: () => boolean, leaderKnown: () => boolean = () => true): DnsCatalog {
  const pick = () => (useLocal() ? local : leader);
  return {
    datacenter: local.datacenter,
    // With neither fresh local state nor a known leader, no kept answer may be served (Consul
    // fails such a query at once): NaN equals no index, so every cache and memo lookup misses.
    get index() {
      if (useLocal()) return local.index;
      return leaderKnown() ? leader.index : Number.NaN;
    },
    serviceInstances: (service, tag) => pick().serviceInstances(service, tag),
    node: (name) => pick().node(name),
    nodes: () => pick().nodes(),
    preparedQuery: (idOrName, clientIp) => pick().preparedQuery(idOrName, clientIp),
    serviceByAddress: (ip) => pick().serviceByAddress(ip),
  };
}

/** This node's catalog entries, read from a server (a blocking query when `index` is set). */
export async function remoteNodeView(call: InternalCall, node: string, index = 0, waitMs = 0): Promise<{ value: NodeCatalogView; index: number }> {
  const answer = await call('Internal.NodeState', { node }, index > 0 ? { minQueryIndex: index, maxQueryTimeMs: waitMs } : {});
  return { value: answer.value, index: answer.meta.index };
}
