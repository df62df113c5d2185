/**
 * The agent's view of the LAN gossip pool: starts `@concord/gossip` with the tags Consul's
 * agents carry, answers `/v1/agent/members`, and tells servers apart from clients.
 */
import { type Gossip, type GossipConfig, Keyring, type MemberEvent, type MemberInfo as GossipMember, createGossip } from '@concord/gossip';
import type { Logger } from 'pino';
import { MEMBER_STATUS, type MemberInfo } from '../agent-context.js';
import type { AgentConfig } from '../config/config.js';

/** A server as seen through gossip: its node ID is its raft ID, `rpcAddr` its server port. */
export interface ServerMember {
  name: string;
  id: string;
  rpcAddr: string;
  datacenter: string;
  expect: number;
  status: GossipMember['status'];
}

export interface MembershipOptions {
  config: AgentConfig;
  version: string;
  /** The bound server RPC port (0 when this agent serves no RPC). */
  rpcPort: number;
  logger: Logger;
  keyring?: Keyring;
  gossip?: Partial<GossipConfig>;
}

/** Tags every member carries; servers add `port` (RPC), `expect` and `bootstrap`. */
export function memberTags(config: AgentConfig, version: string, rpcPort: number): Record<string, string> {
  const tags: Record<string, string> = {
    build: `${version}:concord`,
    dc: config.datacenter,
    id: config.nodeId,
    role: config.server ? 'consul' : 'node',
    segment: '',
    vsn: '2',
    vsn_max: '3',
    vsn_min: '2',
  };
  if (config.server) {
    tags.port = String(rpcPort);
    tags.raft_vsn = '3';
    if (config.bootstrap && !config.dev && config.bootstrapExpect === 0) tags.bootstrap = '1';
    if (config.bootstrapExpect > 0) tags.expect = String(config.bootstrapExpect);
  }
  return tags;
}

export class Membership {
  readonly gossip: Gossip;
  readonly #logger: Logger;
  readonly #dc: string;

  private constructor(gossip: Gossip, dc: string, logger: Logger) {
    this.gossip = gossip;
    this.#dc = dc;
    this.#logger = logger;
  }

  static async start(o: MembershipOptions): Promise<Membership> {
    try {
      return await Membership.#start(o, o.config.ports.serfLan);
    } catch (err) {
      // A -dev agent on a busy machine takes any free port rather than failing on 8301.
      const inUse = /EADDRINUSE|address already in use|could not bind/i.test(`${String(err)} ${String((err as Error).cause ?? '')}`);
      if (!(o.config.dev && o.config.ports.serfLan === 8301 && inUse)) throw err;
      o.logger.warn('agent: port 8301 is in use; the dev agent gossips on a free port');
      return Membership.#start(o, 0);
    }
  }

  static async #start(o: MembershipOptions, port: number): Promise<Membership> {
    const { config } = o;
    const gossip = createGossip({
      name: config.nodeName,
      bindAddr: config.bindAddr,
      bindPort: port,
      advertiseAddr: config.advertiseAddr,
      tags: memberTags(config, o.version, o.rpcPort),
      config: config.dev ? 'local' : 'lan',
      ...(o.gossip ? { overrides: o.gossip } : {}),
      ...(o.keyring ? { keyring: o.keyring } : {}),
      verifyIncoming: config.security.encryptVerifyIncoming,
      verifyOutgoing: config.security.encryptVerifyOutgoing,
    });
    const m = new Membership(gossip, config.datacenter, o.logger);
    gossip.on('error', (err) => o.logger.debug({ err: String(err) }, 'gossip: error'));
    gossip.on('member', (e: MemberEvent) => o.logger.info({ member: e.member.name, addr: e.member.addr }, `serf: member ${e.type}`));
    await gossip.start();
    return m;
  }

  get port(): number {
    return this.gossip.port;
  }

  get keyring(): Keyring | undefined {
    return this.gossip.keyring;
  }

  /** Joins as Consul's agents do: user events fired before the join are not delivered here. */
  join(addrs: readonly string[]): Promise<number> {
    return this.gossip.join(
      addrs.map((a) => withDefaultPort(a)),
      { ignoreOld: true },
    );
  }

  onMember(fn: (e: MemberEvent) => void): () => void {
    return this.gossip.on('member', fn);
  }

  /** Members in Consul's `/v1/agent/members` shape. */
  members(): MemberInfo[] {
    return this.gossip.members().map(toMemberInfo);
  }

  /** Servers of this datacenter that gossip knows, whatever their status. */
  servers(): ServerMember[] {
    const out: ServerMember[] = [];
    for (const m of this.gossip.members()) {
      const s = asServer(m);
      if (s && s.datacenter === this.#dc) out.push(s);
    }
    return out;
  }

  aliveServers(): ServerMember[] {
    return this.servers().filter((s) => s.status === 'alive' || s.status === 'suspect');
  }

  /** The `serf_lan` section of `/v1/agent/self` stats. */
  serfStats(): Record<string, string> {
    const members = this.members();
    return {
      members: String(members.length),
      failed: String(members.filter((m) => m.Status === MEMBER_STATUS.failed).length),
      left: String(members.filter((m) => m.Status === MEMBER_STATUS.left).length),
      encrypted: String(this.keyring !== undefined),
      health_score: String(this.gossip.healthScore),
      event_time: String(this.gossip.eventTime),
      event_queue: String(this.gossip.pendingUserEvents),
    };
  }

  forceLeave(name: string, prune = false): boolean {
    return this.gossip.forceLeave(name, { prune });
  }

  async leave(): Promise<void> {
    this.#logger.info('serf: leaving the cluster');
    await this.gossip.leave();
  }

  shutdown(): Promise<void> {
    return this.gossip.shutdown();
  }
}

export function asServer(m: GossipMember): ServerMember | undefined {
  if (m.tags.role !== 'consul' || !m.tags.port || !m.tags.id) return undefined;
  const host = m.addr.includes(':') ? `[${m.addr}]` : m.addr;
  return {
    name: m.name,
    id: m.tags.id,
    rpcAddr: `${host}:${m.tags.port}`,
    datacenter: m.tags.dc ?? '',
    expect: Number(m.tags.expect ?? 0),
    status: m.status,
  };
}

/** `addr` with `port` appended when it names none (IPv6 literals bracketed). */
export function withDefaultPort(addr: string, port = 8301): string {
  if (/^\[.*\]:\d+$/.test(addr) || /^[^:]+:\d+$/.test(addr)) return addr;
  return addr.includes(':') && !addr.startsWith('[') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

function statusCode(s: GossipMember['status']): number {
  switch (s) {
    case 'alive':
    case 'suspect':
      return MEMBER_STATUS.alive;
    case 'left':
      return MEMBER_STATUS.left;
    case 'failed':
      return MEMBER_STATUS.failed;
  }
}

export function toMemberInfo(m: GossipMember): MemberInfo {
  return {
    Name: m.name,
    Addr: m.addr,
    Port: m.port,
    Tags: { ...m.tags },
    Status: statusCode(m.status),
    ProtocolMin: 1,
    ProtocolMax: 5,
    ProtocolCur: 2,
    DelegateMin: 2,
    DelegateMax: 5,
    DelegateCur: 4,
  };
}

export { Keyring };
