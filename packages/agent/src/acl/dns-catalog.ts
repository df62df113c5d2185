/**
 * DNS answers as the agent's default token (or anonymous) may see them: a service the token
 * cannot read, or a node it cannot read, is not answered (Consul's DNS uses the same filter).
 */
import type { DnsCatalog, DnsNode, DnsServiceInstance } from '../dns/catalog.js';
import type { Authorizer } from './authorizer.js';

export function aclDnsCatalog(inner: DnsCatalog, authorizer: () => Promise<Authorizer>): DnsCatalog {
  const visible = (a: Authorizer, i: DnsServiceInstance) => a.serviceRead(i.serviceName) && a.nodeRead(i.node.name);
  return {
    get datacenter() {
      return inner.datacenter;
    },
    get index() {
      return inner.index;
    },
    async serviceInstances(service, tag) {
      const a = await authorizer();
      if (!a.serviceRead(service)) return [];
      return (await inner.serviceInstances(service, tag)).filter((i) => visible(a, i));
    },
    async node(name) {
      const a = await authorizer();
      return a.nodeRead(name) ? inner.node(name) : undefined;
    },
    async nodes() {
      const a = await authorizer();
      return (await inner.nodes()).filter((n: DnsNode) => a.nodeRead(n.name));
    },
    async preparedQuery(idOrName, clientIp) {
      const a = await authorizer();
      const r = await inner.preparedQuery(idOrName, clientIp);
      return r && { ...r, instances: r.instances.filter((i) => visible(a, i)) };
    },
    async serviceByAddress(ip) {
      const a = await authorizer();
      const owner = await inner.serviceByAddress(ip);
      return owner && a.serviceRead(owner.service) ? owner : undefined;
    },
  };
}
