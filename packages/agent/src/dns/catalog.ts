/**
 * What the DNS server reads from the catalog, kept narrow so that a client agent can back it
 * with remote (asynchronous) reads from a server. Name lookups are case-insensitive.
 */

import { type HealthServiceEntry, type HealthStatus, type StateStore, type TableName, topics } from '@concord/state';
import { type ExecuteResult, type FailoverExecuteResult, QueryNotFoundError, executePreparedQuery, failOverIfEmpty } from '../query/execute.js';
import type { RemoteQueries } from '../query/remote-queries.js';
import { ipFamily, ipv6Bytes } from './wire.js';

export type MaybePromise<T> = T | Promise<T>;

export interface DnsNode {
  name: string;
  address: string;
  datacenter: string;
  /** Node tagged addresses (`lan_ipv4`, `lan_ipv6`, `wan`, ...). */
  taggedAddresses: Readonly<Record<string, string>>;
  meta: Readonly<Record<string, string>>;
}

export interface DnsServiceInstance {
  node: DnsNode;
  serviceId: string;
  serviceName: string;
  /** The service's own address, or "" to use the node's. */
  address: string;
  /** Service tagged addresses (`lan_ipv4`, `lan_ipv6`, ...), address only. */
  taggedAddresses: Readonly<Record<string, string>>;
  port: number;
  /** The port of the service's `wan` tagged address, when it sets one (`translate_wan_addrs`). */
  wanPort?: number;
  weights: { passing: number; warning: number };
  /** Worst status over the node's checks and the service's own checks. */
  status: HealthStatus;
}

/** A prepared query's result, as a DNS answer needs it. */
export interface DnsQueryResult {
  /** The service the query selected (for `service_ttl` when the query sets no TTL). */
  service: string;
  /** The query's `DNS.TTL` (a Go duration), or "" when unset. */
  ttl: string;
  /** The selected instances, already filtered by the query's own health rules. */
  instances: DnsServiceInstance[];
  /** The instances are in RTT order (the query sorts by Near): answers keep that order. */
  ordered: boolean;
  /** The result depends on the client's address (`Near: "_ip"`): never cached. */
  perClient: boolean;
  /**
   * How many other datacenters were asked because none of this one's instances was left;
   * such an answer follows their state, not this datacenter's index, and is never cached.
   */
  failovers?: number;
}

/** Who a service address belongs to (reverse lookups of service addresses). */
export interface DnsServiceAddressOwner {
  service: string;
  datacenter: string;
}

/** Thrown by another datacenter's catalog when that datacenter is not known or not reachable. */
export class UnknownDatacenterError extends Error {
  readonly code = 'DNS_UNKNOWN_DATACENTER';
}

/** The catalog of another datacenter, or undefined when none can be asked (no WAN pool). */
export type RemoteDnsCatalogs = (datacenter: string) => DnsCatalog | undefined;

export interface DnsCatalog {
  /** The local datacenter. */
  readonly datacenter: string;
  /** Changes whenever anything this interface returns may have changed (cache key). */
  readonly index: number;
  /** All instances of a service (any health), filtered by tag when one is given. */
  serviceInstances(service: string, tag?: string): MaybePromise<DnsServiceInstance[]>;
  node(name: string): MaybePromise<DnsNode | undefined>;
  /** Every node (for reverse lookups). */
  nodes(): MaybePromise<DnsNode[]>;
  /**
   * Executes the prepared query answering an ID or name, as asked by a client at `clientIp`;
   * undefined when no query answers it.
   */
  preparedQuery(idOrName: string, clientIp?: string): MaybePromise<DnsQueryResult | undefined>;
  /** The first service instance (by node, then service ID) registered with address `ip`. */
  serviceByAddress(ip: string): MaybePromise<DnsServiceAddressOwner | undefined>;
}

const RANK: Record<HealthStatus, number> = { passing: 0, warning: 1, critical: 2 };

function worstStatus(e: HealthServiceEntry): HealthStatus {
  let status: HealthStatus = 'passing';
  for (const c of e.Checks) if (RANK[c.Status] > RANK[status]) status = c.Status;
  return status;
}

type NodeLike = {
  Node: string;
  Address: string;
  Datacenter: string;
  TaggedAddresses: Record<string, string>;
  Meta: Record<string, string>;
};

function toDnsNode(n: NodeLike, datacenter: string): DnsNode {
  return {
    name: n.Node,
    address: n.Address,
    datacenter: n.Datacenter || datacenter,
    taggedAddresses: n.TaggedAddresses ?? {},
    meta: n.Meta ?? {},
  };
}

function toInstance(e: HealthServiceEntry, datacenter: string): DnsServiceInstance {
  const tagged: Record<string, string> = {};
  for (const [k, v] of Object.entries(e.Service.TaggedAddresses ?? {})) tagged[k] = v.Address;
  return {
    node: toDnsNode(e.Node, datacenter),
    serviceId: e.Service.ID,
    serviceName: e.Service.Service,
    address: e.Service.Address,
    taggedAddresses: tagged,
    port: e.Service.Port,
    ...(e.Service.TaggedAddresses?.wan?.Port ? { wanPort: e.Service.TaggedAddresses.wan.Port } : {}),
    weights: { passing: e.Service.Weights?.Passing ?? 1, warning: e.Service.Weights?.Warning ?? 1 },
    status: worstStatus(e),
  };
}

/**
 * Runs a prepared query against a local state for DNS, from the agent `agentNode`, failing over
 * through `remote` when no local instance is left (only then asynchronously).
 */
export function statePreparedQuery(state: StateStore, idOrName: string, agentNode: string, clientIp?: string, remote?: RemoteQueries): MaybePromise<DnsQueryResult | undefined> {
  let local: ExecuteResult;
  try {
    local = executePreparedQuery(state, idOrName, { agentNode, segment: '', ip: clientIp });
  } catch (err) {
    if (err instanceof QueryNotFoundError) return undefined;
    throw err;
  }
  const toResult = (r: FailoverExecuteResult): DnsQueryResult => ({
    service: r.query.Service.Service,
    ttl: r.query.DNS.TTL,
    instances: r.nodes.map((e) => toInstance(e, r.datacenter)),
    ordered: r.sorted,
    perClient: r.query.Service.Near === '_ip',
    failovers: r.failovers,
  });
  const r = failOverIfEmpty(local, state.datacenter, remote, 0);
  return r instanceof Promise ? r.then(toResult) : toResult(r);
}

function sameAddress(a: string, b: string): boolean {
  if (a === b) return true;
  return ipFamily(a) === 6 && ipFamily(b) === 6 && ipv6Bytes(a).equals(ipv6Bytes(b));
}

/** Consul's reverse lookup of a service address: the first instance, by node then service ID. */
export function stateServiceByAddress(state: StateStore, ip: string): DnsServiceAddressOwner | undefined {
  for (const n of state.nodes().value) {
    const services = state.servicesOnNode(n.Node).sort((a, b) => (a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : 0));
    for (const s of services) {
      if (s.Address !== '' && sameAddress(s.Address, ip)) return { service: s.Service, datacenter: n.Datacenter || state.datacenter };
    }
  }
  return undefined;
}

/**
 * The tables a DNS answer is read from. A write to any other (KV entries, sessions, the agents'
 * periodic coordinate updates) leaves every answer as it was, so it does not change the index
 * the DNS caches are keyed by: with 10,000 services, each such write would otherwise have every
 * answer built again from the catalog. Answers sorted by coordinates are not cached.
 */
const DNS_TABLES: readonly TableName[] = ['nodes', 'services', 'checks', 'prepared-queries', 'acl-tokens', 'acl-policies', 'acl-roles'];
const DNS_TOPICS = DNS_TABLES.map((t) => topics.table(t));

const dnsIndexes = new WeakMap<StateStore, () => number>();

/**
 * The raft index of the last write to a table DNS reads (or of a restore of the whole state),
 * kept by one watch per state store on those tables, re-armed each time it fires.
 */
function dnsIndex(state: StateStore): () => number {
  const known = dnsIndexes.get(state);
  if (known) return known;
  let index = state.lastIndex;
  const arm = (): void => {
    state.watch(DNS_TOPICS, () => {
      index = state.lastIndex;
      arm();
    });
  };
  arm();
  const read = () => index;
  dnsIndexes.set(state, read);
  return read;
}

/** Reads the DNS view straight from a local state store; `agentNode` is the agent serving DNS. */
export function stateCatalog(state: StateStore, options: { agentNode?: string; remote?: RemoteQueries | undefined } = {}): DnsCatalog {
  const agentNode = options.agentNode ?? '';
  const index = dnsIndex(state);
  let namesAt = -1;
  let serviceNames = new Map<string, string>();
  let nodeNames = new Map<string, string>();
  const refreshNames = () => {
    if (namesAt === state.lastIndex) return;
    namesAt = state.lastIndex;
    serviceNames = new Map();
    for (const name of Object.keys(state.services().value)) {
      const lower = name.toLowerCase();
      if (!serviceNames.has(lower)) serviceNames.set(lower, name);
    }
    nodeNames = new Map();
    for (const n of state.nodes().value) {
      const lower = n.Node.toLowerCase();
      if (!nodeNames.has(lower)) nodeNames.set(lower, n.Node);
    }
  };
  const toNode = (n: NodeLike): DnsNode => toDnsNode(n, state.datacenter);

  return {
    get datacenter() {
      return state.datacenter;
    },
    get index() {
      return index();
    },
    serviceInstances(service, tag) {
      let entries = state.healthService(service, tag ? { tags: [tag] } : {}).value;
      if (entries.length === 0) {
        refreshNames();
        const actual = serviceNames.get(service.toLowerCase());
        if (actual !== undefined && actual !== service) entries = state.healthService(actual, tag ? { tags: [tag] } : {}).value;
      }
      return entries.map((e) => toInstance(e, state.datacenter));
    },
    node(name) {
      let n = state.node(name);
      if (!n) {
        refreshNames();
        const actual = nodeNames.get(name.toLowerCase());
        if (actual !== undefined) n = state.node(actual);
      }
      return n ? toNode(n) : undefined;
    },
    nodes() {
      return state.nodes().value.map(toNode);
    },
    preparedQuery: (idOrName, clientIp) => statePreparedQuery(state, idOrName, agentNode, clientIp, options.remote),
    serviceByAddress: (ip) => stateServiceByAddress(state, ip),
  };
}
