/**
 * The servers' WAN gossip pool: every server of every datacenter, each as `<node>.<dc>`, on
 * memberlist's WAN timing profile and the LAN pool's keyring. It tells which datacenters exist
 * and which of their servers are reachable, for routing requests between datacenters.
 */
import { type Gossip, type MemberEvent, createGossip, distance } from '@concord/gossip';
import type { Logger } from 'pino';
import type { MemberInfo } from '../agent-context.js';
import { type MembershipOptions, type ServerMember, asServer, memberTags, toMemberInfo, withDefaultPort } from './membership.js';

export const DEFAULT_WAN_PORT = 8302;

/** The WAN pool starts from the same settings as the LAN pool (`gossip`: `gossip_wan` overrides). */
export type WanMembershipOptions = MembershipOptions;

/** `<node>.<dc>`: a server's name in the WAN pool. */
export function wanMemberName(node: string, datacenter: string): string {
  return `${node}.${datacenter}`;
}

export class WanMembership {
  readonly gossip: Gossip;
  readonly #logger: Logger;

  private constructor(gossip: Gossip, logger: Logger) {
    this.gossip = gossip;
    this.#logger = logger;
  }

  static async start(o: WanMembershipOptions): Promise<WanMembership> {
    const { config } = o;
    const gossip = createGossip({
      name: wanMemberName(config.nodeName, config.datacenter),
      bindAddr: config.bindAddr,
      bindPort: config.ports.serfWan,
      advertiseAddr: config.advertiseAddrWan,
      tags: memberTags(config, o.version, o.rpcPort),
      config: config.dev ? 'local' : 'wan',
      ...(o.gossip ? { overrides: o.gossip } : {}),
      ...(o.keyring ? { keyring: o.keyring } : {}),
    });
    const wan = new WanMembership(gossip, o.logger);
    gossip.on('error', (err) => o.logger.debug({ err: String(err) }, 'gossip (wan): error'));
    gossip.on('member', (e: MemberEvent) => o.logger.info({ member: e.member.name, addr: e.member.addr }, `serf wan: member ${e.type}`));
    await gossip.start();
    return wan;
  }

  get port(): number {
    return this.gossip.port;
  }

  join(addrs: readonly string[]): Promise<number> {
    return this.gossip.join(addrs.map((a) => withDefaultPort(a, DEFAULT_WAN_PORT)));
  }

  /** The WAN pool in `/v1/agent/members?wan=1`'s shape. */
  members(): MemberInfo[] {
    return this.gossip.members().map(toMemberInfo);
  }

  /** Every datacenter with a server in the pool (failed ones included, as Consul lists them). */
  datacenters(): string[] {
    const out = new Set<string>();
    for (const m of this.gossip.members()) {
      const s = asServer(m);
      if (s && s.status !== 'left') out.add(s.datacenter);
    }
    return [...out];
  }

  /**
   * Servers of `dc` that may answer, as Consul's router orders them: alive ones first, then
   * suspect ones; failed and left servers are not tried. Within a rank, nearest by WAN
   * coordinates first.
   */
  serversIn(dc: string): ServerMember[] {
    const self = this.gossip.coordinate();
    const ranked: { s: ServerMember; rank: number; rtt: number }[] = [];
    for (const m of this.gossip.members()) {
      const s = asServer(m);
      if (!s || s.datacenter !== dc) continue;
      if (s.status !== 'alive' && s.status !== 'suspect') continue;
      const c = this.gossip.memberCoordinate(m.name);
      ranked.push({ s, rank: s.status === 'alive' ? 0 : 1, rtt: c ? distance(self, c) : Number.MAX_VALUE });
    }
    ranked.sort((a, b) => a.rank - b.rank || a.rtt - b.rtt);
    return ranked.map((r) => r.s);
  }

  /** Estimated round trip in seconds to the nearest server of `dc` (Infinity when unknown). */
  rttTo(dc: string): number {
    const self = this.gossip.coordinate();
    let best = Number.POSITIVE_INFINITY;
    for (const m of this.gossip.members()) {
      const s = asServer(m);
      if (!s || s.datacenter !== dc || s.status === 'left') continue;
      const c = this.gossip.memberCoordinate(m.name);
      if (c) best = Math.min(best, distance(self, c));
    }
    return best;
  }

  async leave(): Promise<void> {
    this.#logger.info('serf wan: leaving the pool');
    await this.gossip.leave();
  }

  shutdown(): Promise<void> {
    return this.gossip.shutdown();
  }
}
