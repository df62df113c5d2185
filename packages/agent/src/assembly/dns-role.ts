/**
 * Step 8 of a role's assembly: DNS. Which catalog answers (a server's own state, checked for
 * freshness against the leader; a client's servers; other datacenters over the WAN), filtered by
 * the DNS token's ACLs, and the listeners on every DNS address.
 */
import type { AclResolver } from '../acl/resolver.js';
import { aclDnsCatalog } from '../acl/dns-catalog.js';
import type { AgentContext, ServerContext } from '../agent-context.js';
import { type InternalCall, freshnessDnsCatalog, remoteDnsCatalog } from '../cluster/remote-catalog.js';
import { type AgentConfig, ConfigError } from '../config/config.js';
import type { DnsCatalog } from '../dns/catalog.js';
import { type DnsConfig, type DnsServer, type RemoteDnsCatalogs, parseDnsConfig, startDnsServer, stateCatalog } from '../dns/index.js';
import { noLeader } from '../errors/agent-error.js';
import { serverRemoteQueries } from '../rpc/remote-queries.js';
import type { StateServer } from '../server/state-server.js';
import type { Cleanups } from './cleanups.js';
import type { ClusterRole } from './cluster-role.js';

export interface DnsCatalogs {
  local: DnsCatalog;
  remote: RemoteDnsCatalogs | undefined;
}

/** The `dns_config` block, checked before anything listens. */
export function resolveDnsConfig(config: AgentConfig): DnsConfig {
  try {
    return parseDnsConfig(config.dnsConfig);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
}

export function dnsCatalogs(
  config: AgentConfig,
  dnsConfig: DnsConfig,
  server: StateServer | undefined,
  serverContext: ServerContext | undefined,
  role: ClusterRole,
  hasWan: boolean,
  acl: AclResolver,
): DnsCatalogs {
  const { internalCall } = role;
  const sc = role.serverCluster;
  // A prepared query with no local instance fails over to other datacenters through the WAN pool.
  const localDns = server
    ? stateCatalog(server.state, { agentNode: config.nodeName, remote: serverContext ? serverRemoteQueries(serverContext, { consistency: 'stale', token: '' }) : undefined })
    : undefined;
  let dnsCatalog: DnsCatalog;
  if (localDns && sc) {
    // DNS clients give up within seconds: without a known leader, fail at once (SERVFAIL).
    const leaderCall: InternalCall = (name, args, over) => (sc.knownLeader() ? internalCall(name, args, over) : Promise.reject(noLeader()));
    dnsCatalog = freshnessDnsCatalog(
      localDns,
      remoteDnsCatalog(leaderCall, config.datacenter, { stale: false }),
      () => sc.isLeader() || (dnsConfig.allowStale && sc.freshWithin(dnsConfig.maxStale)),
      () => sc.knownLeader(),
    );
  } else if (localDns) dnsCatalog = localDns;
  else dnsCatalog = remoteDnsCatalog(internalCall, config.datacenter, { stale: dnsConfig.allowStale });
  if (acl.enabled) dnsCatalog = aclDnsCatalog(dnsCatalog, () => acl.resolveToken(acl.tokens.dns || undefined));
  // Other datacenters' names: a server asks one of their servers over the WAN, a client its own servers.
  let remoteDns: RemoteDnsCatalogs | undefined;
  if (hasWan || role.clientCluster) remoteDns = (dc) => remoteDnsCatalog(internalCall, dc, { stale: dnsConfig.allowStale, remote: true });
  return { local: dnsCatalog, remote: remoteDns };
}

/** DNS on every DNS address, on the first one's port; the first server is the one reported. */
export async function startDnsAll(config: AgentConfig, dnsConfig: DnsConfig, context: AgentContext, catalogs: DnsCatalogs, cleanups: Cleanups): Promise<DnsServer | undefined> {
  let dns: DnsServer | undefined;
  if (config.ports.dns >= 0) {
    let dnsPort = config.ports.dns;
    for (const addr of config.dnsAddrs) {
      const d = await startDns(config, dnsConfig, context, catalogs, addr, dnsPort);
      cleanups.push(() => d.close());
      dns ??= d;
      dnsPort = d.udpPort;
    }
  }
  return dns;
}

async function startDns(config: AgentConfig, dnsConfig: DnsConfig, context: AgentContext, catalogs: DnsCatalogs, bindAddress: string, port: number): Promise<DnsServer> {
  return startDnsServer({
    catalog: catalogs.local,
    remote: catalogs.remote,
    config: {
      ...dnsConfig,
      domain: config.domain,
      altDomain: config.altDomain,
      datacenter: config.datacenter,
      translateWanAddrs: config.translateWanAddrs,
      recursors: config.recursors,
      bindAddress,
      port,
    },
    logger: context.logger,
    observe: context.telemetry.sampler(['dns', 'domain_query'], { node: config.nodeName }),
  });
}
