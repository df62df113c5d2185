/**
 * `translate_wan_addrs` for DNS, as Consul's TranslateAddress / TranslateServiceAddress /
 * TranslateServicePort: a node or service instance of another datacenter is answered with its
 * `wan` tagged addresses (`wan`, `wan_ipv4`, `wan_ipv6`) in place of its LAN ones, and a service
 * with a WAN tagged port with that port. Local ones are left as they are.
 */
import type { DnsNode, DnsServiceInstance } from './catalog.js';

/** The tagged addresses with the WAN ones taking the place of the LAN ones. */
function wanTagged(address: string, tagged: Readonly<Record<string, string>>): { address: string; tagged: Record<string, string> } {
  const out: Record<string, string> = { ...tagged };
  if (tagged.wan_ipv4 !== undefined) out.lan_ipv4 = tagged.wan_ipv4;
  if (tagged.wan_ipv6 !== undefined) out.lan_ipv6 = tagged.wan_ipv6;
  return { address: tagged.wan ?? address, tagged: out };
}

export function wanNode(node: DnsNode): DnsNode {
  const t = wanTagged(node.address, node.taggedAddresses);
  return { ...node, address: t.address, taggedAddresses: t.tagged };
}

export function wanInstance(inst: DnsServiceInstance): DnsServiceInstance {
  const t = wanTagged(inst.address, inst.taggedAddresses);
  return {
    ...inst,
    node: wanNode(inst.node),
    address: t.address,
    taggedAddresses: t.tagged,
    port: inst.wanPort ? inst.wanPort : inst.port,
  };
}

/** Translates what belongs to a datacenter other than `local`, when `enabled`. */
export function translateInstances(instances: DnsServiceInstance[], local: string, enabled: boolean): DnsServiceInstance[] {
  if (!enabled) return instances;
  return instances.map((i) => (i.node.datacenter.toLowerCase() === local ? i : wanInstance(i)));
}

export function translateNode(node: DnsNode, local: string, enabled: boolean): DnsNode {
  return enabled && node.datacenter.toLowerCase() !== local ? wanNode(node) : node;
}
