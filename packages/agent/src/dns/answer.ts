/**
 * Builds the answer to a question in the Consul domain from the catalog, following Consul's
 * rules: health filtering, record types per lookup, SRV targets and their glue, node meta TXT,
 * negative answers with the SOA. Shuffling, limits and trimming happen per reply (see
 * assemble.ts), so one built answer serves many queries.
 */

import { type DnsCatalog, type DnsNode, type DnsServiceInstance, type RemoteDnsCatalogs, UnknownDatacenterError } from './catalog.js';
import { parseDuration } from '@concord/goflags';
import { type DnsConfig, serviceTtl } from './config.js';
import { type DnsLookup, parseQuestion } from './names.js';
import { type DnsRecord, QTYPE, RCODE, ipFamily, ipv6Bytes } from './wire.js';
import { translateInstances, translateNode } from './wan-translate.js';

export interface DnsAnswer {
  rcode: number;
  authoritative: boolean;
  answers: DnsRecord[];
  /** Per answer: the additional records that support it (an SRV target's address, node meta). */
  answerExtras: DnsRecord[][];
  authority: DnsRecord[];
  /** Additional records not tied to one answer (node meta on node lookups, NS glue). */
  additional: DnsRecord[];
  /** Answers are returned in a fresh random order on every reply. */
  shuffle: boolean;
  /** Cap on answers after shuffling (a_record_limit); 0 = none. */
  answerLimit: number;
  /** The answer depends only on the catalog index (no random choices, no clock). */
  cacheable: boolean;
}

export interface ResolverOptions {
  catalog: DnsCatalog;
  /** Catalogs of other datacenters; undefined answers their names NXDOMAIN. */
  remote?: RemoteDnsCatalogs | undefined;
  config: DnsConfig;
  /** Configured domains, lower-case without the trailing dot; the first is the primary one. */
  domains: string[];
  datacenter: string;
  /** `translate_wan_addrs`: answers about other datacenters use their WAN addresses. */
  translateWanAddrs?: boolean | undefined;
}

const empty = (rcode: number, authoritative: boolean): DnsAnswer => ({
  rcode,
  authoritative,
  answers: [],
  answerExtras: [],
  authority: [],
  additional: [],
  shuffle: false,
  answerLimit: 0,
  cacheable: true,
});

export class Resolver {
  readonly #o: ResolverOptions;
  readonly #domainLabels: string[][];

  constructor(options: ResolverOptions) {
    this.#o = options;
    this.#domainLabels = options.domains.map((d) => (d === '' ? [] : d.split('.')));
  }

  /** Answers a question, or returns undefined when the name is outside every Consul domain. */
  async resolve(labels: readonly string[], qtype: number, clientIp?: string): Promise<DnsAnswer | undefined> {
    const lookup = parseQuestion(labels, qtype, this.#domainLabels, this.#o.datacenter.toLowerCase());
    if (lookup.kind === 'outside') return undefined;
    const domain = lookup.kind === 'ptr' ? (this.#o.domains[0] as string) : (lookup.domain as string);
    if (lookup.kind === 'ptr') return this.#ptr(labels, qtype);
    if (qtype === QTYPE.SOA || qtype === QTYPE.NS) return this.#soaOrNs(qtype, domain);
    if (qtype === QTYPE.AXFR) return empty(RCODE.NOTIMP, true);
    const name = labels.join('.');
    switch (lookup.kind) {
      case 'service':
        return this.#service(lookup, qtype, name, domain);
      case 'node':
        return this.#node(lookup, qtype, name, domain);
      case 'addr':
        return this.#addr(lookup, qtype, name, domain);
      case 'query':
        return this.#query(lookup, qtype, name, domain, clientIp);
      default:
        return this.#nxdomain(domain);
    }
  }

  soa(domain: string): DnsRecord {
    const soa = this.#o.config.soa;
    return {
      type: 'SOA',
      name: domain,
      ttl: soa.minTtl,
      mname: `ns.${domain}`,
      rname: `hostmaster.${domain}`,
      serial: Math.floor(Date.now() / 1000),
      refresh: soa.refresh,
      retry: soa.retry,
      expire: soa.expire,
      minimum: soa.minTtl,
    };
  }

  #nxdomain(domain: string): DnsAnswer {
    return { ...empty(RCODE.NXDOMAIN, true), authority: [this.soa(domain)] };
  }

  #isLocal(dc: string): boolean {
    return dc === this.#o.datacenter.toLowerCase();
  }

  /** The catalog answering for `dc`: this datacenter's, another's, or none. */
  #catalogFor(dc: string): DnsCatalog | undefined {
    return this.#isLocal(dc) ? this.#o.catalog : this.#o.remote?.(dc);
  }

  /**
   * Runs a lookup in `dc`; NXDOMAIN when the datacenter is unknown or unreachable. Answers
   * from another datacenter are not cached (the local index does not follow its changes).
   */
  async #inDatacenter(dc: string, domain: string, run: (catalog: DnsCatalog) => Promise<DnsAnswer>): Promise<DnsAnswer> {
    const catalog = this.#catalogFor(dc);
    if (!catalog) return this.#nxdomain(domain);
    if (catalog === this.#o.catalog) return run(catalog);
    try {
      const out = await run(catalog);
      out.cacheable = false;
      return out;
    } catch (err) {
      if (err instanceof UnknownDatacenterError) return { ...this.#nxdomain(domain), cacheable: false };
      throw err;
    }
  }

  /** Instances of other datacenters with their WAN addresses, under `translate_wan_addrs`. */
  #wan(instances: DnsServiceInstance[]): DnsServiceInstance[] {
    return translateInstances(instances, this.#o.datacenter.toLowerCase(), this.#o.translateWanAddrs === true);
  }

  async #healthy(service: string, tag: string, catalog: DnsCatalog = this.#o.catalog): Promise<DnsServiceInstance[]> {
    const all = await catalog.serviceInstances(service, tag || undefined);
    const onlyPassing = this.#o.config.onlyPassing;
    return all.filter((i) => i.status === 'passing' || (i.status === 'warning' && !onlyPassing));
  }

  async #service(lookup: Extract<DnsLookup, { kind: 'service' }>, qtype: number, qname: string, domain: string): Promise<DnsAnswer> {
    return this.#inDatacenter(lookup.datacenter, domain, async (catalog) => {
      const instances = this.#wan(await this.#healthy(lookup.service, lookup.tag, catalog));
      if (instances.length === 0) return this.#nxdomain(domain);
      return this.#instancesAnswer(instances, qtype, qname, domain, serviceTtl(this.#o.config, lookup.service), true);
    });
  }

  /**
   * `<query>.query[.<dc>].<domain>`: the prepared query's instances (its own health rules, not
   * `only_passing`), with its DNS TTL or else the service's; Consul's handlePreparedQuery.
   */
  async #query(lookup: Extract<DnsLookup, { kind: 'query' }>, qtype: number, qname: string, domain: string, clientIp?: string): Promise<DnsAnswer> {
    // In another datacenter the query is resolved and run (failover included) by that datacenter.
    return this.#inDatacenter(lookup.datacenter, domain, async (catalog) => {
      const result = await catalog.preparedQuery(lookup.query, clientIp);
      const followsOthers = (result?.failovers ?? 0) > 0;
      if (!result || result.instances.length === 0) return { ...this.#nxdomain(domain), cacheable: !followsOthers };
      let ttl = serviceTtl(this.#o.config, result.service);
      if (result.ttl !== '') {
        const ms = parseDuration(result.ttl);
        if (ms !== undefined && ms >= 0) ttl = Math.floor(ms / 1000);
      }
      const out = this.#instancesAnswer(this.#wan(result.instances), qtype, qname, domain, ttl, !result.ordered);
      // an RTT order follows the coordinates, which do not change the catalog index
      out.cacheable = !result.perClient && !followsOthers && !result.ordered;
      return out;
    });
  }

  /** Answers for service instances (Consul's addServiceSRVRecordsToMessage and addServiceNodeRecordsToMessage). */
  #instancesAnswer(instances: DnsServiceInstance[], qtype: number, qname: string, domain: string, ttl: number, shuffle: boolean): DnsAnswer {
    const out = empty(RCODE.NOERROR, true);
    out.shuffle = shuffle;
    if (qtype === QTYPE.SRV) {
      const seen = new Set<string>();
      for (const inst of instances) {
        const svcAddr = translate(inst.address, inst.taggedAddresses, QTYPE.ANY);
        const tuple = `${inst.node.name}:${svcAddr}:${inst.port}`;
        if (seen.has(tuple)) continue;
        seen.add(tuple);
        const made = this.#instanceRecords(inst, qtype, qname, domain, ttl);
        if (!made) continue;
        const extras = [...made.extras];
        if (this.#o.config.enableAdditionalNodeMetaTxt) {
          extras.push(...metaTxt(nodeFqdn(inst.node, domain), inst.node, ttl));
        }
        out.answers.push(made.answer);
        out.answerExtras.push(extras);
      }
    } else {
      const seen = new Set<string>();
      let cname: DnsRecord | undefined;
      for (const inst of instances) {
        const made = this.#instanceRecords(inst, qtype, qname, domain, ttl);
        if (!made) continue;
        const rr = made.answer;
        if (rr.type === 'CNAME') {
          cname ??= rr;
          continue;
        }
        const key = rr.type === 'A' || rr.type === 'AAAA' ? `${rr.type} ${rr.address}` : JSON.stringify(rr);
        if (seen.has(key)) continue;
        seen.add(key);
        out.answers.push(rr);
        out.answerExtras.push([]);
      }
      if (out.answers.length === 0 && cname) {
        out.answers.push(cname);
        out.answerExtras.push([]);
      }
      out.answerLimit = this.#o.config.aRecordLimit;
    }
    if (out.answers.length === 0) {
      // the name exists but has nothing of the asked type: NODATA (RFC 2308)
      out.authority.push(this.soa(domain));
      out.shuffle = false;
    }
    return out;
  }

  /** Records for one service instance (Consul's makeNodeServiceRecords). */
  #instanceRecords(inst: DnsServiceInstance, qtype: number, qname: string, domain: string, ttl: number): { answer: DnsRecord; extras: DnsRecord[] } | undefined {
    const svcAddr = translate(inst.address, inst.taggedAddresses, qtype);
    const nodeAddr = translate(inst.node.address, inst.node.taggedAddresses, qtype);
    if (svcAddr === '' && nodeAddr === '') return undefined;
    const nodeIp = ipFamily(nodeAddr) !== 0;
    const weight = inst.status === 'warning' ? inst.weights.warning : inst.weights.passing;
    const byIp = (ip: string, target: string) => {
      const rr = addressRecord(qtype, ip, qtype === QTYPE.SRV ? target : qname, ttl);
      if (!rr) return undefined;
      if (qtype !== QTYPE.SRV) return { answer: rr, extras: [] };
      const srv: DnsRecord = { type: 'SRV', name: qname, ttl, priority: 1, weight, port: inst.port, target };
      return { answer: srv, extras: [rr] };
    };
    const byHost = (host: string) => {
      const target = host.replace(/\.$/, '');
      if (qtype === QTYPE.SRV) {
        return { answer: { type: 'SRV', name: qname, ttl, priority: 1, weight, port: inst.port, target } as DnsRecord, extras: [] };
      }
      return { answer: { type: 'CNAME', name: qname, ttl, host: target } as DnsRecord, extras: [] };
    };
    if (svcAddr === '' && nodeIp) {
      if (inst.node.address !== nodeAddr) return byIp(nodeAddr, addrFqdn(nodeAddr, inst.node.datacenter, domain));
      return byIp(nodeAddr, nodeFqdn(inst.node, domain));
    }
    if (svcAddr === '') return byHost(nodeAddr);
    if (ipFamily(svcAddr) !== 0) return byIp(svcAddr, addrFqdn(svcAddr, inst.node.datacenter, domain));
    if (svcAddr.replace(/\.$/, '').toLowerCase() === qname && nodeIp) return byIp(nodeAddr, nodeFqdn(inst.node, domain));
    return byHost(svcAddr);
  }

  async #node(lookup: Extract<DnsLookup, { kind: 'node' }>, qtype: number, qname: string, domain: string): Promise<DnsAnswer> {
    if (qtype !== QTYPE.ANY && qtype !== QTYPE.A && qtype !== QTYPE.AAAA && qtype !== QTYPE.TXT) {
      return empty(RCODE.NOERROR, true);
    }
    return this.#inDatacenter(lookup.datacenter, domain, async (catalog) => {
      const node = await catalog.node(lookup.node);
      const local = this.#o.datacenter.toLowerCase();
      return node ? this.#nodeAnswer(translateNode(node, local, this.#o.translateWanAddrs === true), qtype, qname) : this.#nxdomain(domain);
    });
  }

  #nodeAnswer(node: DnsNode, qtype: number, qname: string): DnsAnswer {
    const ttl = this.#o.config.nodeTtl;
    const out = empty(RCODE.NOERROR, true);
    if (qtype !== QTYPE.TXT) {
      const rr = nodeRecord(node, qtype, qname, ttl);
      if (rr) {
        out.answers.push(rr);
        out.answerExtras.push([]);
      }
    }
    const meta = qtype === QTYPE.TXT || qtype === QTYPE.ANY || this.#o.config.enableAdditionalNodeMetaTxt ? metaTxt(qname, node, ttl) : [];
    if (qtype === QTYPE.TXT || qtype === QTYPE.ANY) {
      for (const rr of meta) {
        out.answers.push(rr);
        out.answerExtras.push([]);
      }
    } else {
      out.additional.push(...meta);
    }
    return out;
  }

  #addr(lookup: Extract<DnsLookup, { kind: 'addr' }>, qtype: number, qname: string, domain: string): DnsAnswer {
    const hex = lookup.hex;
    if ((hex.length !== 8 && hex.length !== 32) || !/^[0-9a-f]+$/.test(hex)) return this.#nxdomain(domain);
    const bytes = Buffer.from(hex, 'hex');
    const v4 = bytes.length === 4;
    const address = v4 ? [...bytes].join('.') : (hex.match(/.{4}/g) as string[]).join(':');
    const rr: DnsRecord = { type: v4 ? 'A' : 'AAAA', name: qname, ttl: this.#o.config.nodeTtl, address };
    const out = empty(RCODE.NOERROR, true);
    if (qtype === (v4 ? QTYPE.A : QTYPE.AAAA) || qtype === QTYPE.ANY) {
      out.answers.push(rr);
      out.answerExtras.push([]);
    } else {
      out.additional.push(rr);
    }
    return out;
  }

  async #soaOrNs(qtype: number, domain: string): Promise<DnsAnswer> {
    const ttl = this.#o.config.nodeTtl;
    const servers = await this.#healthy('consul', '');
    for (let i = servers.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [servers[i], servers[j]] = [servers[j] as DnsServiceInstance, servers[i] as DnsServiceInstance];
    }
    const ns: DnsRecord[] = [];
    const glue: DnsRecord[] = [];
    const seen = new Set<string>();
    for (const s of servers) {
      if (seen.has(s.node.name) || !/^[a-z0-9-]+$/i.test(s.node.name)) continue;
      seen.add(s.node.name);
      const fqdn = nodeFqdn(s.node, domain).toLowerCase();
      ns.push({ type: 'NS', name: domain, ttl, host: fqdn });
      const rr = nodeRecord(s.node, QTYPE.ANY, fqdn, ttl);
      if (rr) glue.push(rr);
      if (ns.length >= 3) break;
    }
    const out = empty(RCODE.NOERROR, true);
    out.cacheable = false;
    if (qtype === QTYPE.SOA) {
      out.answers.push(this.soa(domain));
      out.answerExtras.push([]);
      out.authority.push(...ns);
    } else {
      for (const rr of ns) {
        out.answers.push(rr);
        out.answerExtras.push([]);
      }
    }
    out.additional.push(...glue);
    return out;
  }

  async #ptr(labels: readonly string[], qtype: number): Promise<DnsAnswer> {
    const domain = this.#o.domains[0] as string;
    const out = empty(RCODE.NOERROR, true);
    if (qtype === QTYPE.SOA) {
      out.answers.push(this.soa(domain));
      out.answerExtras.push([]);
    }
    const ip = ipFromArpa(labels);
    if (ip !== undefined) {
      for (const n of await this.#o.catalog.nodes()) {
        if (n.address === ip || (ipFamily(n.address) === 6 && ip.includes(':') && sameV6(n.address, ip))) {
          out.answers.push({ type: 'PTR', name: labels.join('.'), ttl: 0, host: nodeFqdn(n, domain) });
          out.answerExtras.push([]);
          break;
        }
      }
    }
    if (ip !== undefined && out.answers.length === 0) {
      // only when no node has the address: a service registered with it
      const owner = await this.#o.catalog.serviceByAddress(ip);
      if (owner) {
        out.answers.push({ type: 'PTR', name: labels.join('.'), ttl: 0, host: `${owner.service}.service.${owner.datacenter}.${domain}` });
        out.answerExtras.push([]);
      }
    }
    if (out.answers.length === 0) return this.#nxdomain(domain);
    return out;
  }
}

function nodeFqdn(node: DnsNode, domain: string): string {
  return `${node.name}.node.${node.datacenter}.${domain}`;
}

function addrFqdn(ip: string, datacenter: string, domain: string): string {
  const hex = ipFamily(ip) === 4 ? Buffer.from(ip.split('.').map(Number)).toString('hex') : ipv6Hex(ip);
  return `${hex}.addr.${datacenter}.${domain}`;
}

function ipv6Hex(ip: string): string {
  return ipv6Bytes(ip).toString('hex');
}

function sameV6(a: string, b: string): boolean {
  return ipv6Hex(a) === ipv6Hex(b);
}

/** Picks the address to answer with for a query type (Consul's translateAddressAccept). */
function translate(address: string, tagged: Readonly<Record<string, string>>, qtype: number): string {
  const v4 = tagged.lan_ipv4 ?? '';
  const v6 = tagged.lan_ipv6 ?? '';
  if (qtype === QTYPE.AAAA) return v6 || address;
  if (qtype === QTYPE.A) return v4 || address;
  return v6 || v4 || address;
}

/** An A or AAAA record if the query type accepts the address's family (Consul's makeARecord). */
function addressRecord(qtype: number, ip: string, name: string, ttl: number): DnsRecord | undefined {
  const family = ipFamily(ip);
  const any = qtype === QTYPE.SRV || qtype === QTYPE.ANY || qtype === QTYPE.NS || qtype === QTYPE.TXT;
  if (family === 4 && (any || qtype === QTYPE.A)) return { type: 'A', name, ttl, address: ip };
  if (family === 6 && (any || qtype === QTYPE.AAAA)) return { type: 'AAAA', name, ttl, address: ip };
  return undefined;
}

function nodeRecord(node: DnsNode, qtype: number, name: string, ttl: number): DnsRecord | undefined {
  const addr = translate(node.address, node.taggedAddresses, qtype);
  if (ipFamily(addr) === 0) {
    if (addr === '') return undefined;
    return { type: 'CNAME', name, ttl, host: addr.replace(/\.$/, '') };
  }
  return addressRecord(qtype, addr, name, ttl);
}

/** Node meta as TXT records (RFC 1464 `key=value`, bare value for `rfc1035-` keys). */
function metaTxt(name: string, node: DnsNode, ttl: number): DnsRecord[] {
  return Object.keys(node.meta)
    .sort()
    .map((key) => {
      const value = node.meta[key] as string;
      const text = key.toLowerCase().startsWith('rfc1035-') ? value : rfc1464(key, value);
      return { type: 'TXT', name, ttl, text: [text] } as DnsRecord;
    });
}

function rfc1464(key: string, value: string): string {
  let k = key.replace(/`/g, '``').replace(/=/g, '`=');
  k = k.replace(/^ +/, (m) => '` '.repeat(m.length)).replace(/ +$/, (m) => '` '.repeat(m.length));
  return `${k}=${value.replace(/`/g, '``')}`;
}

function ipFromArpa(labels: readonly string[]): string | undefined {
  const n = labels.length;
  if (n === 6 && labels[4] === 'in-addr' && labels[5] === 'arpa') {
    const parts = labels.slice(0, 4).reverse();
    if (parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return parts.map(Number).join('.');
    return undefined;
  }
  if (n === 34 && labels[32] === 'ip6' && labels[33] === 'arpa') {
    const nibbles = labels.slice(0, 32).reverse();
    if (!nibbles.every((x) => /^[0-9a-f]$/.test(x))) return undefined;
    const groups: string[] = [];
    for (let i = 0; i < 32; i += 4) groups.push(nibbles.slice(i, i + 4).join(''));
    return groups.join(':');
  }
  return undefined;
}
