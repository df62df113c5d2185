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

/** A server's WAN coordinate in `/v1/coordinate/datacenters`. */
export interface WanCoordinate {
  Node: string;
  Coord: { Vec: number[]; Error: number; Adjustment: number; Height: number };
}

/** One datacenter's entry in `/v1/coordinate/datacenters` (Consul's `DatacenterMap`). */
export interface DatacenterMap {
  Datacenter: string;
  AreaID: string;
  Coordinates: WanCoordinate[];
}

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

  /**
   * Estimated round trip in seconds to `dc`, as Consul's router ranks datacenters: the median
   * over its servers (not left) of the distance by WAN coordinates; 0 for this datacenter.
   * Infinity when no coordinate of its servers is known yet.
   */
  rttTo(dc: string): number {
    const selfName = this.gossip.localMember().name;
    const self = this.gossip.coordinate();
    const rtts: number[] = [];
    let servers = 0;
    for (const m of this.gossip.members()) {
      const s = asServer(m);
      if (!s || s.datacenter !== dc || s.status === 'left') continue;
      servers++;
      if (m.name === selfName) {
        rtts.push(0);
        continue;
      }
      const c = this.gossip.memberCoordinate(m.name);
      if (c) rtts.push(distance(self, c));
    }
    if (servers === 0 || rtts.length === 0) return Number.POSITIVE_INFINITY;
    rtts.sort((a, b) => a - b);
    return rtts[Math.floor(rtts.length / 2)] as number;
  }

  /**
   * `/v1/coordinate/datacenters`: per datacenter, the WAN coordinates of its servers (not left)
   * as this server last heard them, named `<node>.<dc>`; servers with no coordinate yet are
   * left out, as Consul's GetDatacenterMaps does. Datacenters and nodes in name order.
   */
  datacenterMaps(): DatacenterMap[] {
    const selfName = this.gossip.localMember().name;
    const byDc = new Map<string, WanCoordinate[]>();
    for (const m of this.gossip.members()) {
      const s = asServer(m);
      if (!s || s.status === 'left') continue;
      const coord = m.name === selfName ? this.gossip.coordinate() : this.gossip.memberCoordinate(m.name);
      if (!coord) continue;
      const list = byDc.get(s.datacenter) ?? [];
      list.push({ Node: m.name, Coord: { Vec: [...coord.Vec], Error: coord.Error, Adjustment: coord.Adjustment, Height: coord.Height } });
      byDc.set(s.datacenter, list);
    }
    return [...byDc.keys()].sort().map((dc) => ({
      Datacenter: dc,
      AreaID: 'wan',
      Coordinates: (byDc.get(dc) as WanCoordinate[]).sort((a, b) => (a.Node < b.Node ? -1 : a.Node > b.Node ? 1 : 0)),
    }));
  }

  async leave(): Promise<void> {
    this.#logger.info('serf wan: leaving the pool');
    await this.gossip.leave();
  }

  shutdown(): Promise<void> {
    return this.gossip.shutdown();
  }
}
