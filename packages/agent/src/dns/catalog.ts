/**
 * What the DNS server reads from the catalog, kept narrow so that a client agent can back it
 * with remote (asynchronous) reads from a server. Name lookups are case-insensitive.
 */

import type { HealthStatus, StateStore } from '@concord/state';

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
  weights: { passing: number; warning: number };
  /** Worst status over the node's checks and the service's own checks. */
  status: HealthStatus;
}

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
}

const RANK: Record<HealthStatus, number> = { passing: 0, warning: 1, critical: 2 };

/** Reads the DNS view straight from a local state store. */
export function stateCatalog(state: StateStore): DnsCatalog {
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
  const toNode = (n: {
    Node: string;
    Address: string;
    Datacenter: string;
    TaggedAddresses: Record<string, string>;
    Meta: Record<string, string>;
  }): DnsNode => ({
    name: n.Node,
    address: n.Address,
    datacenter: n.Datacenter || state.datacenter,
    taggedAddresses: n.TaggedAddresses ?? {},
    meta: n.Meta ?? {},
  });

  return {
    get datacenter() {
      return state.datacenter;
    },
    get index() {
      return state.lastIndex;
    },
    serviceInstances(service, tag) {
      let entries = state.healthService(service, tag ? { tags: [tag] } : {}).value;
      if (entries.length === 0) {
        refreshNames();
        const actual = serviceNames.get(service.toLowerCase());
        if (actual !== undefined && actual !== service) entries = state.healthService(actual, tag ? { tags: [tag] } : {}).value;
      }
      return entries.map((e) => {
        let status: HealthStatus = 'passing';
        for (const c of e.Checks) if (RANK[c.Status] > RANK[status]) status = c.Status;
        const tagged: Record<string, string> = {};
        for (const [k, v] of Object.entries(e.Service.TaggedAddresses ?? {})) tagged[k] = v.Address;
        return {
          node: toNode(e.Node),
          serviceId: e.Service.ID,
          serviceName: e.Service.Service,
          address: e.Service.Address,
          taggedAddresses: tagged,
          port: e.Service.Port,
          weights: { passing: e.Service.Weights?.Passing ?? 1, warning: e.Service.Weights?.Warning ?? 1 },
          status,
        };
      });
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
  };
}
