/**
 * What the raft leader does besides answering requests (Consul's leader loop): reconcile gossip
 * members into the catalog (a node and a `serfHealth` check per member, the `consul` service per
 * server), add servers seen in gossip to raft and remove the ones that left or stayed dead
 * (autopilot's `cleanup_dead_servers`), re-arm session TTL timers and reap tombstones.
 */
import type { MemberInfo as GossipMember } from '@concord/gossip';
import type { Command, StateStore } from '@concord/state';
import type { Logger } from 'pino';
import type { WriteResult } from '../server/state-server.js';
import { asServer } from './membership.js';

export const SERF_CHECK_ID = 'serfHealth';
const ALIVE_OUTPUT = 'Agent alive and reachable';
const FAILED_OUTPUT = 'Agent not live or unreachable';

/** The raft operations reconciliation needs. */
export interface RaftMembership {
  voters(): string[];
  /** Non-voters: servers that replicate the log but do not vote yet. */
  learners(): string[];
  addVoter(id: string, address: string): Promise<unknown>;
  addLearner(id: string, address: string): Promise<unknown>;
  removeServer(id: string): Promise<unknown>;
  /** How many entries a server is behind the leader's log (undefined: unknown). */
  lagOf(id: string): number | undefined;
}

/** Autopilot's settings as the leader's duties use them. */
export interface AutopilotSettings {
  cleanupDeadServers: boolean;
  minQuorum: number;
  /** A new server votes once it has been healthy this long. */
  serverStabilizationMs: number;
  /** At most this many entries behind counts as healthy. */
  maxTrailingLogs: number;
}

export interface LeaderDutiesOptions {
  state: StateStore;
  write(command: Command): Promise<WriteResult>;
  members(): GossipMember[];
  raft: RaftMembership;
  datacenter: string;
  /** This server's node ID (never removed from raft by reconciliation). */
  selfId: string;
  version: string;
  logger: Logger;
  /** Remove servers that are failed for this long (0 disables `cleanup_dead_servers`). */
  deadServerCleanupMs: number;
  /** Autopilot's replicated settings, read at each pass (default: cleanup on, no minimum, immediate votes). */
  autopilot?: () => AutopilotSettings;
  intervalMs?: number;
}

export class LeaderDuties {
  readonly #o: LeaderDutiesOptions;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #again = false;
  readonly #failedSince = new Map<string, number>();
  /** Non-voters by ID: since when they have been healthy. */
  readonly #healthySince = new Map<string, number>();

  constructor(o: LeaderDutiesOptions) {
    this.#o = o;
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.kick(), this.#o.intervalMs ?? 1000);
    this.#timer.unref();
    this.kick();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#failedSince.clear();
    this.#healthySince.clear();
  }

  /** Runs a reconcile pass now (or right after the running one). */
  kick(): void {
    if (!this.#timer) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = true;
    this.reconcile()
      .catch((err: unknown) => this.#o.logger.warn({ err: String(err) }, 'leader: reconcile failed'))
      .finally(() => {
        this.#running = false;
        if (this.#again) {
          this.#again = false;
          this.kick();
        }
      });
  }

  async reconcile(): Promise<void> {
    const { state, datacenter } = this.#o;
    const members = this.#o.members().filter((m) => (m.tags.dc ?? datacenter) === datacenter);
    const known = new Set<string>();
    for (const m of members) {
      known.add(m.name);
      if (m.status === 'alive' || m.status === 'suspect') await this.#alive(m);
      else if (m.status === 'failed') await this.#failed(m);
      else await this.#left(m);
    }
    await this.#cleanupUnknownVoters(members);
    // Nodes the pool forgot about (reaped) that still carry a serfHealth check.
    for (const node of state.nodes().value) {
      if (known.has(node.Node)) continue;
      if (!state.checksOnNode(node.Node).some((c) => c.CheckID === SERF_CHECK_ID)) continue;
      this.#o.logger.info({ node: node.Node }, 'leader: deregistering a reaped member');
      await this.#o.write({ type: 'deregister', dereg: { Node: node.Node } });
    }
  }

  async #alive(m: GossipMember): Promise<void> {
    const { state } = this.#o;
    this.#failedSince.delete(m.name);
    const server = asServer(m);
    const node = state.node(m.name);
    const checks = state.checksOnNode(m.name);
    const serf = checks.find((c) => c.CheckID === SERF_CHECK_ID);
    const services = state.servicesOnNode(m.name);
    const needsNode = !node || node.Address !== m.addr || (m.tags.id !== undefined && node.ID !== m.tags.id);
    const needsCheck = serf?.Status !== 'passing' || serf.Output !== ALIVE_OUTPUT;
    const consul = services.find((s) => s.ID === 'consul');
    const needsService = server !== undefined && (!consul || consul.Port !== Number(m.tags.port));
    if (needsNode || needsCheck || needsService) {
      await this.#o.write({
        type: 'register',
        reg: {
          ...(m.tags.id ? { ID: m.tags.id } : {}),
          Node: m.name,
          Address: m.addr,
          ...(node ? {} : { TaggedAddresses: { lan: m.addr, lan_ipv4: m.addr, wan: m.addr, wan_ipv4: m.addr } }),
          ...(server && needsService
            ? {
                Service: {
                  ID: 'consul',
                  Service: 'consul',
                  Port: Number(m.tags.port),
                  Meta: {
                    raft_version: '3',
                    serf_protocol_current: '2',
                    serf_protocol_max: '5',
                    serf_protocol_min: '1',
                    version: (m.tags.build ?? this.#o.version).split(':')[0] ?? this.#o.version,
                  },
                },
              }
            : {}),
          Check: { CheckID: SERF_CHECK_ID, Name: 'Serf Health Status', Status: 'passing', Output: ALIVE_OUTPUT, Type: '' },
        },
      });
    }
    if (server && !this.#o.raft.voters().includes(server.id)) await this.#admit(server.id, server.rpcAddr, m.name);
  }

  /**
   * A server new to raft joins as a non-voter and gets a vote once it has been healthy (at most
   * MaxTrailingLogs behind) for ServerStabilizationTime, as Consul's autopilot promotes servers.
   */
  async #admit(id: string, address: string, name: string): Promise<void> {
    const raft = this.#o.raft;
    const settings = this.#o.autopilot?.();
    if (!settings) {
      this.#o.logger.info({ server: name, id }, 'leader: adding server to raft');
      await raft.addVoter(id, address);
      return;
    }
    // Without a known configuration a voter could look new, and adding it as a learner would demote it.
    if (raft.voters().length === 0) return;
    if (!raft.learners().includes(id)) {
      this.#o.logger.info({ server: name, id }, 'leader: adding server to raft as a non-voter');
      this.#healthySince.delete(id);
      await raft.addLearner(id, address);
      return;
    }
    const lag = raft.lagOf(id);
    if (lag === undefined || lag > settings.maxTrailingLogs) {
      this.#healthySince.delete(id);
      return;
    }
    const since = this.#healthySince.get(id) ?? Date.now();
    this.#healthySince.set(id, since);
    if (Date.now() - since < settings.serverStabilizationMs) return;
    this.#o.logger.info({ server: name, id }, 'leader: promoting a stable non-voter to voter');
    this.#healthySince.delete(id);
    await raft.addVoter(id, address);
  }

  async #failed(m: GossipMember): Promise<void> {
    const { state } = this.#o;
    if (state.node(m.name)) {
      const serf = state.checksOnNode(m.name).find((c) => c.CheckID === SERF_CHECK_ID);
      if (serf?.Status !== 'critical') {
        await this.#o.write({
          type: 'register',
          reg: {
            Node: m.name,
            Address: m.addr,
            SkipNodeUpdate: true,
            Check: { CheckID: SERF_CHECK_ID, Name: 'Serf Health Status', Status: 'critical', Output: FAILED_OUTPUT, Type: '' },
          },
        });
      }
    }
    const server = asServer(m);
    if (!server || server.id === this.#o.selfId) return;
    // Failure is timed even while cleanup is off, so turning it on acts on servers long dead.
    const since = this.#failedSince.get(m.name) ?? Date.now();
    this.#failedSince.set(m.name, since);
    if (!this.#cleanupEnabled() || Date.now() - since < this.#o.deadServerCleanupMs) return;
    await this.#removeIfSafe(server.id, m.name, 'dead');
  }

  async #left(m: GossipMember): Promise<void> {
    this.#failedSince.delete(m.name);
    if (this.#o.state.node(m.name)) {
      this.#o.logger.info({ node: m.name }, 'leader: deregistering a member that left');
      await this.#o.write({ type: 'deregister', dereg: { Node: m.name } });
    }
    const server = asServer(m);
    if (server && server.id !== this.#o.selfId) await this.#removeIfSafe(server.id, m.name, 'left');
  }

  /** Voters no gossip member claims (a server that came back with a new ID, or was reaped). */
  async #cleanupUnknownVoters(members: GossipMember[]): Promise<void> {
    if (!this.#cleanupEnabled()) return;
    const claimed = new Set(members.map(asServer).flatMap((s) => (s ? [s.id] : [])));
    for (const id of this.#o.raft.voters()) {
      const key = `id:${id}`;
      if (id === this.#o.selfId || claimed.has(id)) {
        this.#failedSince.delete(key);
        continue;
      }
      const since = this.#failedSince.get(key) ?? Date.now();
      this.#failedSince.set(key, since);
      if (Date.now() - since >= this.#o.deadServerCleanupMs) await this.#removeIfSafe(id, id, 'dead');
    }
  }

  #cleanupEnabled(): boolean {
    return this.#o.deadServerCleanupMs > 0 && (this.#o.autopilot?.().cleanupDeadServers ?? true);
  }

  /**
   * Removes a server from raft unless that would leave fewer voters than a quorum of the rest,
   * or (for a dead one) fewer than autopilot's MinQuorum.
   */
  async #removeIfSafe(id: string, name: string, why: string): Promise<void> {
    const voters = this.#o.raft.voters();
    if (!voters.includes(id)) {
      // A non-voter can go at once: it counts for no quorum.
      if (this.#o.raft.learners().includes(id)) {
        this.#o.logger.info({ server: name, id, why }, 'leader: removing non-voter from raft');
        this.#healthySince.delete(id);
        await this.#o.raft.removeServer(id);
      }
      return;
    }
    const minQuorum = this.#o.autopilot?.().minQuorum ?? 0;
    if (why === 'dead' && minQuorum > 0 && voters.length - 1 < minQuorum) {
      this.#o.logger.debug({ server: name, minQuorum }, 'leader: not removing a dead server: the cluster is at its MinQuorum');
      return;
    }
    const healthy = this.#o
      .members()
      .map(asServer)
      .filter((s) => s !== undefined && s.id !== id && (s.status === 'alive' || s.status === 'suspect') && voters.includes(s.id)).length;
    const remaining = voters.length - 1;
    if (why === 'dead' && healthy < Math.floor(remaining / 2) + 1) return;
    this.#o.logger.info({ server: name, id, why }, 'leader: removing server from raft');
    await this.#o.raft.removeServer(id);
  }
}
