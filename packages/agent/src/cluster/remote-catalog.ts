/**
 * Catalog reads of a client agent, answered by a server through the Forward RPC: the DNS view
 * and the view of this node that anti-entropy and alias checks need.
 */
import type { DnsCatalog, DnsNode, DnsServiceInstance } from '../dns/catalog.js';
import type { NodeCatalogView } from '../local/anti-entropy.js';
import type { HttpResponse__Output } from './rpc.js';

export type RemoteGet = (path: string) => Promise<HttpResponse__Output>;

async function getJson<T>(get: RemoteGet, path: string): Promise<{ value: T; index: number }> {
  const r = await get(path);
  if (r.status !== 200) throw new Error(`${path}: ${r.status} ${r.body.toString('utf8')}`);
  return { value: JSON.parse(r.body.toString('utf8')) as T, index: Number(r.headers['x-consul-index'] ?? 0) };
}

/** The DNS view through a server (stale reads, as Consul's DNS allows by default). */
export function remoteDnsCatalog(get: RemoteGet, datacenter: string, cacheMs = 1000): DnsCatalog {
  const e = encodeURIComponent;
  return {
    datacenter,
    // Answers are cached for at most `cacheMs`: the index moves on with the clock.
    get index() {
      return Math.floor(Date.now() / cacheMs);
    },
    async serviceInstances(service, tag) {
      const q = tag ? `?stale&tag=${e(tag)}` : '?stale';
      return (await getJson<DnsServiceInstance[]>(get, `/v1/internal/dns/service/${e(service)}${q}`)).value;
    },
    async node(name) {
      return (await getJson<DnsNode | null>(get, `/v1/internal/dns/node/${e(name)}?stale`)).value ?? undefined;
    },
    async nodes() {
      return (await getJson<DnsNode[]>(get, '/v1/internal/dns/nodes?stale')).value;
    },
  };
}

/** This node's catalog entries, read from a server. */
export async function remoteNodeView(get: RemoteGet, node: string, index = 0, waitMs = 0): Promise<{ value: NodeCatalogView; index: number }> {
  const q = index > 0 ? `?index=${index}&wait=${Math.ceil(waitMs / 1000)}s` : '';
  return getJson<NodeCatalogView>(get, `/v1/internal/node-state/${encodeURIComponent(node)}${q}`);
}
