/**
 * Catalog reads of a client agent, answered by a server through the Forward RPC: the DNS view
 * and the view of this node that anti-entropy and alias checks need.
 */
import { NO_PATH_TO_DATACENTER } from './datacenter-router.js';
import { UnknownDatacenterError } from '../dns/catalog.js';
import type { DnsCatalog, DnsNode, DnsQueryResult, DnsServiceAddressOwner, DnsServiceInstance } from '../dns/catalog.js';
import type { NodeCatalogView } from '../local/anti-entropy.js';
import type { HttpResponse__Output } from './rpc.js';

export type RemoteGet = (path: string) => Promise<HttpResponse__Output>;

async function getJson<T>(get: RemoteGet, path: string): Promise<{ value: T; index: number }> {
  const r = await get(path);
  if (r.status === 500 && r.body.toString('utf8') === NO_PATH_TO_DATACENTER) throw new UnknownDatacenterError(NO_PATH_TO_DATACENTER);
  if (r.status !== 200) throw new Error(`${path}: ${r.status} ${r.body.toString('utf8')}`);
  return { value: JSON.parse(r.body.toString('utf8')) as T, index: Number(r.headers['x-consul-index'] ?? 0) };
}

/**
 * The DNS view through a server: with `stale` (Consul's `allow_stale` default) any server
 * answers from its own state, without it the leader does.
 */
export function remoteDnsCatalog(
  get: RemoteGet,
  datacenter: string,
  options: { stale?: boolean; cacheMs?: number; agentNode?: string } = {},
): DnsCatalog {
  const e = encodeURIComponent;
  const cacheMs = options.cacheMs ?? 1000;
  const stale = options.stale ?? true;
  return {
    datacenter,
    // Answers are cached for at most `cacheMs`: the index moves on with the clock.
    get index() {
      return Math.floor(Date.now() / cacheMs);
    },
    async serviceInstances(service, tag) {
      const q = [...(stale ? ['stale'] : []), ...(tag ? [`tag=${e(tag)}`] : [])].join('&');
      return (await getJson<DnsServiceInstance[]>(get, `/v1/internal/dns/service/${e(service)}${q ? `?${q}` : ''}`)).value;
    },
    async node(name) {
      return (await getJson<DnsNode | null>(get, `/v1/internal/dns/node/${e(name)}${stale ? '?stale' : ''}`)).value ?? undefined;
    },
    async nodes() {
      return (await getJson<DnsNode[]>(get, `/v1/internal/dns/nodes${stale ? '?stale' : ''}`)).value;
    },
    async preparedQuery(idOrName, clientIp) {
      const q = [...(stale ? ['stale'] : []), `agent=${e(options.agentNode ?? '')}`, ...(clientIp ? [`ip=${e(clientIp)}`] : [])].join('&');
      const path = `/v1/internal/dns/query/${e(idOrName)}?${q}`;
      return (await getJson<DnsQueryResult | null>(get, path)).value ?? undefined;
    },
    async serviceByAddress(ip) {
      const path = `/v1/internal/dns/service-address/${e(ip)}${stale ? '?stale' : ''}`;
      return (await getJson<DnsServiceAddressOwner | null>(get, path)).value ?? undefined;
    },
  };
}

/** `path` with `?dc=` (or `&dc=`) naming `datacenter`. */
export function withDatacenter(path: string, datacenter: string): string {
  return `${path}${path.includes('?') ? '&' : '?'}dc=${encodeURIComponent(datacenter)}`;
}

/**
 * A server's DNS view under `dns_config.allow_stale`/`max_stale`: its own state while that is
 * allowed and fresh enough, the leader's otherwise.
 */
export function freshnessDnsCatalog(local: DnsCatalog, leader: DnsCatalog, useLocal: () => boolean): DnsCatalog {
  const pick = () => (useLocal() ? local : leader);
  return {
    datacenter: local.datacenter,
    get index() {
      return pick().index;
    },
    serviceInstances: (service, tag) => pick().serviceInstances(service, tag),
    node: (name) => pick().node(name),
    nodes: () => pick().nodes(),
    preparedQuery: (idOrName, clientIp) => pick().preparedQuery(idOrName, clientIp),
    serviceByAddress: (ip) => pick().serviceByAddress(ip),
  };
}

/** This node's catalog entries, read from a server. */
export async function remoteNodeView(get: RemoteGet, node: string, index = 0, waitMs = 0): Promise<{ value: NodeCatalogView; index: number }> {
  const q = index > 0 ? `?index=${index}&wait=${Math.ceil(waitMs / 1000)}s` : '';
  return getJson<NodeCatalogView>(get, `/v1/internal/node-state/${encodeURIComponent(node)}${q}`);
}
