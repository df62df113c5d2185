/**
 * The server role: the state machine behind raft, the RPC service, gossip, bootstrap, leader
 * duties and forwarding to the leader. Raft configuration changes are in raft-peer-ops.ts, the
 * status views in server-views.ts, autopilot in server-autopilot.ts.
 */
import * as grpc from '@grpc/grpc-js';
import { type ApplyResult, type AutopilotConfig, type AutopilotConfigEntry, type Command, encodeCommand, encodesExactly } from '@concord/state';
import type { Logger } from 'pino';
import { APPLY_METRIC } from '../telemetry/write-metrics.js';
import type { Telemetry } from '../telemetry/telemetry.js';
import { NotLeaderError, RaftError } from 'raft-ts';
import type { MemberInfo } from '../agent-context.js';
import type { AgentConfig } from '../config/config.js';
import { noLeader, operationFailed } from '../errors/agent-error.js';
import type { StateServer, WriteResult } from '../server/state-server.js';
import { SessionTimers } from '../server/session-timers.js';
import { TombstoneReaper } from '../server/tombstone-reaper.js';
import { Bootstrapper } from './bootstrapper.js';
import { type AutopilotHealth, type Cluster, type DroppedInputs, gossipDropped, type KeyringCounts, type RaftServerView, countKeys } from './cluster.js';
import { KEYRING_OPS, type KeyringOp, type KeyringStore } from './keyring-store.js';
import { GossipHeal } from './gossip-heal.js';
import { LeaderDuties } from './leader-duties.js';
import { type Membership, asServer } from './membership.js';
import type { RaftLog } from './raft-log.js';
import { raftStats } from './raft-stats.js';
import { ServerAutopilot } from './server-autopilot.js';
import { autopilotSettings, handOver, leaveRaft, raftMembership, removePeer, transferLeadership } from './raft-peer-ops.js';
import { type ServerViewSource, raftConfiguration, serverStatus } from './server-views.js';
import { RpcClients, type RpcDialer, RpcError, rpcMessageLimit, SHUTTING_DOWN, addAgentService, safeToResend } from './rpc.js';
import { commandMethod } from '../rpc/methods/apply.js';
import { ownCallOptions, optionsToWire } from '../rpc/query-options.js';
import type { CallHandler, CallReply__Output, CallRequest } from '../rpc/transport.js';
import { CHANNEL_METHODS, type KvRecordHandler, LeaderChannel } from './leader-channel.js';
import { RpcStatusError } from '../rpc/transport.js';
import { MAX_HOPS } from '../rpc/router.js';

export interface ServerClusterOptions {
  config: AgentConfig;
  server: StateServer;
  /** The raft log (in -dev a single voter in memory, otherwise replicated over the data dir). */
  raft: RaftLog<ApplyResult>;
  membership: Membership;
  rpcServer: grpc.Server;
  rpcAddress: string;
  keyring: KeyringStore;
  version: string;
  logger: Logger;
  /** How long a request waits for a leader before `No cluster leader`. */
  leaderWaitMs?: number;
  deadServerCleanupMs?: number;
  /** How to dial other servers' RPC port (plaintext by default). */
  dial?: RpcDialer;
  telemetry?: Telemetry;
  /** Answers the typed calls that arrive on the RPC port. */
  calls: CallHandler;
  /** Runs a KV write a follower forwarded as a binary record (as `KVS.Apply`, with its token). */
  applyKv?: KvRecordHandler;
}

/** Errors that mean the command was not handed to raft, so trying again cannot apply it twice. */
function notProposed(err: unknown): boolean {
  if (err instanceof NotLeaderError) return true;
  if (err instanceof RaftError && err.code === 'RAFT_PROPOSAL_DROPPED') return true;
  return safeToResend(err);
}

/** How long a server that is its own only voter waits at start to lead and be ready. */
const SOLE_VOTER_READY_MS = 5000;

export class ServerCluster implements Cluster {
  readonly isServer = true;
  readonly sessionTimers: SessionTimers;
  /** Writes to the leader on the Raft connection (see leader-channel.ts). */
  readonly leaderChannel: LeaderChannel;
  readonly #o: ServerClusterOptions;
  readonly #rpc: RpcClients;
  readonly #duties: LeaderDuties | undefined;
  #bootstrapper: Bootstrapper | undefined;
  /** Calls from other agents being answered (blocking queries aside), waited for by `drain`. */
  readonly #inFlight = new Set<Promise<unknown>>();
  #reaper: TombstoneReaper | undefined;
  #leading = false;
  #leaderWaiters: (() => void)[] = [];
  #closed = false;
  #draining = false;
  #gossipHeal: GossipHeal | undefined;
  readonly #autopilot: ServerAutopilot;
  readonly #leaderLostMs: number;
  readonly #unsubscribe: (() => void)[] = [];

  constructor(o: ServerClusterOptions) {
    this.#o = o;
    this.#leaderLostMs = 40 * 100 * o.config.raftMultiplier;
    this.#rpc = new RpcClients(o.dial, rpcMessageLimit(o.config.bounds.snapshotRestoreMaxBytes));
    const write = (c: Command) => this.write(c);
    this.#autopilot = new ServerAutopilot({
      config: o.config,
      version: o.version,
      server: o.server,
      membership: o.membership,
      raft: o.raft,
      rpc: this.#rpc,
      logger: o.logger,
      telemetry: o.telemetry,
      write,
      servers: () => this.raftConfiguration().Servers,
      leading: () => this.#leading,
    });
    this.sessionTimers = new SessionTimers((id) => {
      write({ type: 'session-destroy', id }).catch((err: unknown) => o.logger.warn({ err: String(err) }, 'session expiry failed'));
    });
    const serveCall: CallHandler = (name, request, signal) => {
      o.telemetry?.incrCounter(['rpc', 'request']);
      if (this.#draining) return Promise.reject(new RpcStatusError(SHUTTING_DOWN, grpc.status.UNAVAILABLE));
      const p = o.calls(name, request, signal);
      if (request.options?.minQueryIndex) return p;
      this.#inFlight.add(p);
      const done = () => this.#inFlight.delete(p);
      p.then(done, done);
      return p;
    };
    const applyKv = o.applyKv;
    // Forwarded KV records are counted, refused while draining and waited for as typed calls are.
    const serveKv: KvRecordHandler | undefined = applyKv
      ? (call, signal) => {
          o.telemetry?.incrCounter(['rpc', 'request']);
          if (this.#draining) return Promise.reject(new RpcStatusError(SHUTTING_DOWN, grpc.status.UNAVAILABLE));
          const p = applyKv(call, signal);
          this.#inFlight.add(p);
          const done = () => this.#inFlight.delete(p);
          p.then(done, done);
          return p;
        }
      : undefined;
    this.leaderChannel = new LeaderChannel(o.raft.requests);
    this.leaderChannel.serve(serveCall, serveKv);
    addAgentService(o.rpcServer, {
      call: serveCall,
      status: () => {
        o.telemetry?.incrCounter(['rpc', 'request']);
        return serverStatus(this.#views());
      },
      keyring: (op, key) => {
        if (!(KEYRING_OPS as readonly string[]).includes(op)) throw new RpcError(`unknown keyring operation ${op}`, grpc.status.INVALID_ARGUMENT);
        try {
          return o.keyring.apply(op as KeyringOp, key);
        } catch (err) {
          throw new RpcError((err as Error).message, grpc.status.FAILED_PRECONDITION);
        }
      },
    });
    this.#duties = new LeaderDuties({
      state: o.server.state,
      write,
      members: () => o.membership.gossip.members(),
      raft: raftMembership(o.raft),
      datacenter: o.config.datacenter,
      selfId: o.config.nodeId,
      version: o.version,
      logger: o.logger,
      deadServerCleanupMs: o.deadServerCleanupMs ?? 30_000,
      autopilot: () => autopilotSettings(this.autopilotConfig()),
    });
    const raft = o.raft;
    this.#gossipHeal = new GossipHeal(raft, o.membership, o.config.nodeId, o.logger);
    this.#unsubscribe.push(raft.onLeaderChange((s) => this.#onLeadership(s.isLeader, s.leader !== '')));
    this.#unsubscribe.push(
      o.membership.onMember((e) => {
        const s = asServer(e.member);
        if (s) raft.setPeer(s.id, s.rpcAddr);
        this.#duties?.kick();
      }),
    );
    raft.onEarlyMessage = (m) => {
      if ((m.type === 'app' || m.type === 'heartbeat' || m.type === 'snap') && !raft.started && !this.#closed) {
        o.logger.info({ from: m.from }, 'raft: contacted by a leader; joining its cluster');
        this.#bootstrapper?.stop();
        void raft.start(undefined);
      }
    };
  }

  /** Starts raft: a restart, a bootstrap (-dev and -bootstrap: this server alone) or a wait to be added. */
  async start(): Promise<void> {
    const { raft, config, membership, logger } = this.#o;
    for (const s of membership.servers()) raft.setPeer(s.id, s.rpcAddr);
    if (raft.started) {
      logger.info('raft: restarted from the data directory');
      await this.#leadIfAlone();
    } else if (config.bootstrap) {
      await raft.start([config.nodeId]);
      await this.#leadIfAlone();
    } else if (config.bootstrapExpect > 1) {
      this.#bootstrapper = new Bootstrapper({
        selfId: config.nodeId,
        expect: config.bootstrapExpect,
        aliveServers: () => membership.aliveServers(),
        status: (addr) => this.#rpc.status(addr, 2000),
        start: (voters) => raft.start(voters),
        logger,
      });
      this.#bootstrapper.start();
    } else {
      logger.info('raft: no bootstrap requested; waiting to be added by a leader');
      await raft.start(undefined);
    }
    if (raft.isLeader()) this.#onLeadership(true, true);
  }

  /**
   * The only voter needs nobody's vote: it campaigns at once instead of after an election
   * timeout, as soon as its configuration is applied from the log, and the start waits (a few
   * seconds at most) until it is ready to serve, so a -dev agent takes writes once it is up.
   */
  async #leadIfAlone(): Promise<void> {
    const raft = this.#o.raft;
    for (let i = 0; i < 100 && raft.node && !this.#closed; i++) {
      const voters = raft.status()?.conf.voters ?? [];
      if (voters.length > 0) {
        if (voters.length !== 1 || voters[0] !== this.#o.config.nodeId) return;
        if (!raft.isLeader()) raft.node.campaign();
        await this.#waitForLeader(SOLE_VOTER_READY_MS);
        return;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  #onLeadership(leading: boolean, leaderKnown: boolean): void {
    if (leaderKnown) {
      const waiters = this.#leaderWaiters;
      this.#leaderWaiters = [];
      for (const w of waiters) w();
    }
    if (leading === this.#leading || this.#closed) return;
    this.#leading = leading;
    const { server, logger } = this.#o;
    if (leading) {
      logger.info('leader: this server is the leader');
      this.#o.telemetry?.incrCounter(['raft', 'state', 'leader']);
      this.sessionTimers.resetAll(server.state.sessions().value);
      this.#reaper = new TombstoneReaper(server.state, (c) => this.write(c), logger);
      this.#duties?.start();
      this.#autopilot.lead();
    } else {
      logger.info('leader: leadership lost');
      this.sessionTimers.clear();
      this.#reaper?.stop();
      this.#reaper = undefined;
      this.#duties?.stop();
      this.#autopilot.stop();
    }
  }

  /** Autopilot's replicated settings, or this server's `autopilot` block before any are stored. */
  autopilotConfig(): AutopilotConfigEntry {
    return this.#autopilot.config();
  }

  setAutopilotConfig(config: AutopilotConfig, cas: number | undefined): Promise<boolean> {
    return this.#autopilot.setConfig(config, cas);
  }

  transferLeader(id: string | undefined): Promise<void> {
    return transferLeadership(this.#o.raft, this.#o.config.nodeId, id, this.#o.logger);
  }

  isLeader(): boolean {
    return this.#o.raft.isLeader();
  }

  /** True on the leader, or on a follower that heard from the leader within `maxStaleMs`. */
  freshWithin(maxStaleMs: number): boolean {
    const raft = this.#o.raft;
    return raft.isLeader() || raft.lastContactMs() <= maxStaleMs;
  }

  leaderAddress(): string {
    const raft = this.#o.raft;
    const id = raft.leader;
    if (!id) return '';
    // A follower that has not heard from its leader for two maximal election timeouts no longer
    // counts it as known (raft keeps the last leader's ID while pre-votes fail).
    if (id !== this.#o.config.nodeId && raft.lastContactMs() > this.#leaderLostMs) return '';
    if (id === this.#o.config.nodeId) return this.#o.rpcAddress;
    return raft.peerAddress(id) ?? '';
  }

  knownLeader(): boolean {
    return this.leaderAddress() !== '';
  }

  lastContactMs(): number {
    const ms = this.#o.raft.lastContactMs();
    return ms === Number.MAX_SAFE_INTEGER ? 0 : ms;
  }

  async consistentBarrier(): Promise<void> {
    try {
      await this.#o.raft.readIndex();
    } catch (err) {
      throw err instanceof NotLeaderError ? noLeader() : operationFailed(`consistent read failed: ${(err as Error).message}`);
    }
  }

  /** Resolves once a leader is known, or after `ms`. */
  #waitForLeader(ms: number): Promise<void> {
    if (this.knownLeader()) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#leaderWaiters = this.#leaderWaiters.filter((w) => w !== done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#leaderWaiters.push(done);
    });
  }

  /**
   * Applies `command` through the leader. A server that is not (or no longer) the leader passes it
   * on with `token`, which the leader checks as for any forwarded write.
   */
  async write(command: Command, token = ''): Promise<WriteResult> {
    const out = await this.#writeRaw(command, 0, token);
    if (out.result.error) throw out.result.error;
    return out;
  }

  async #writeRaw(command: Command, hops: number, token: string): Promise<WriteResult> {
    const deadline = Date.now() + (this.#o.leaderWaitMs ?? 7000);
    let kvRecord: Uint8Array | undefined;
    for (;;) {
      try {
        if (this.isLeader()) return await this.#applyAsLeader(command);
        const leader = this.leaderAddress();
        const method = commandMethod(command.type);
        if (leader && leader !== this.#o.rpcAddress && hops < MAX_HOPS && method) {
          const asCall = async () => {
            const request = { options: optionsToWire(ownCallOptions(this.#o.config.nodeName, { hops: hops + 1, token })), args: Buffer.from(JSON.stringify({ command })) };
            const peer = this.raftPeerFor(leader, method);
            const viaGrpc = () => this.#rpc.call(leader, method, request, 30_000);
            const r = await (peer ? this.callOverRaft(peer, method, request, 30_000, viaGrpc) : viaGrpc());
            return { index: r.meta?.index ?? 0, value: JSON.parse(r.result.toString('utf8')) as unknown };
          };
          // A KV write goes to the leader as its binary record, encoded once here.
          const record = command.type === 'kv' ? (kvRecord ??= encodeCommand(command)) : undefined;
          const peer = record && encodesExactly(record) ? this.raftPeerFor(leader, method) : undefined;
          const r = await (peer && record ? this.leaderChannel.applyKv(peer, record, token, hops + 1, 30_000, asCall) : asCall());
          return { index: r.index, result: { value: r.value } };
        }
      } catch (err) {
        if (!notProposed(err)) throw err instanceof RpcError ? operationFailed(err.message) : err;
      }
      const left = deadline - Date.now();
      if (left <= 0 || this.#closed) throw noLeader();
      await this.#waitForLeader(Math.min(left, 250));
      if (!this.knownLeader() || !this.isLeader()) await new Promise((r) => setTimeout(r, 50));
    }
  }

  /**
   * A write on this server while it leads (the KV fast path's): proposed at once, without the
   * leader wait and forwarding loop of `write`, which it falls back to when the command was not
   * proposed (leadership moved meanwhile), passing it on with the caller's token (`tokenOf`, asked
   * only then). Answers and fails as `write` does.
   */
  writeAsLeader(command: Command, tokenOf: () => string = () => ''): Promise<WriteResult> {
    if (!this.isLeader()) return this.write(command, tokenOf());
    return this.#applyAsLeader(command).then(
      (out) => {
        if (out.result.error) throw out.result.error;
        return out;
      },
      (err: unknown) => {
        if (notProposed(err)) return this.write(command, tokenOf());
        throw err instanceof RpcError ? operationFailed(err.message) : err;
      },
    );
  }

  /** Consul's `raft.apply` counter, `raft.commitTime` and the endpoint's timer, named once per command type. */
  readonly #writeMetrics = new Map<string, { apply: () => void; commit: (startMs: number) => void; endpoint: ((startMs: number) => void) | undefined }>();

  #writeMetricsOf(t: Telemetry, type: Command['type']) {
    let m = this.#writeMetrics.get(type);
    if (!m) {
      const key = APPLY_METRIC[type];
      m = { apply: t.counter(['raft', 'apply']), commit: t.timer(['raft', 'commitTime']), endpoint: key ? t.timer(key) : undefined };
      this.#writeMetrics.set(type, m);
    }
    return m;
  }

  /** Proposes through raft on the leader: Consul's `raft.apply` and `raft.commitTime`, and the endpoint's own timer. */
  async #applyAsLeader(command: Command): Promise<WriteResult> {
    const t = this.#o.telemetry;
    if (!t) return this.#o.server.write(command);
    const m = this.#writeMetricsOf(t, command.type);
    const started = performance.now();
    m.apply();
    try {
      return await this.#o.server.write(command);
    } finally {
      m.commit(started);
      m.endpoint?.(started);
    }
  }

  /**
   * The Raft ID of the leader when it is the server at RPC `address` and call `name` goes to it
   * on the Raft connection (leader-channel.ts) rather than over gRPC; undefined otherwise.
   */
  raftPeerFor(address: string, name: string): string | undefined {
    if (!CHANNEL_METHODS.has(name)) return undefined;
    const raft = this.#o.raft;
    const id = raft.leader;
    if (!id || id === this.#o.config.nodeId || raft.peerAddress(id) !== address) return undefined;
    return id;
  }

  /**
   * Sends typed call `name` to server `peer` on the Raft connection, or with `viaGrpc` when it
   * could not be delivered there; fails as the gRPC call would.
   */
  callOverRaft(peer: string, name: string, request: CallRequest, timeoutMs: number, viaGrpc: () => Promise<CallReply__Output>): Promise<CallReply__Output> {
    return this.leaderChannel.call(peer, name, request, timeoutMs, viaGrpc);
  }

  /**
   * Sends a call to the leader, waiting up to the leader wait for one to be known; resolves
   * 'self' once this server leads (the caller answers it here). A call the leader may have acted
   * on is not sent again unless it only reads.
   */
  async callLeader(send: (address: string) => Promise<CallReply__Output>, idempotent: boolean): Promise<CallReply__Output | 'self'> {
    const deadline = Date.now() + (this.#o.leaderWaitMs ?? 7000);
    for (;;) {
      if (this.isLeader()) return 'self';
      const leader = this.leaderAddress();
      if (leader && leader !== this.#o.rpcAddress) {
        try {
          return await send(leader);
        } catch (err) {
          if (!(idempotent && err instanceof RpcError) && !notProposed(err)) throw err;
        }
      }
      const left = deadline - Date.now();
      if (left <= 0 || this.#closed) throw noLeader();
      await this.#waitForLeader(Math.min(left, 250));
      if (!this.knownLeader()) await new Promise((r) => setTimeout(r, 50));
    }
  }

  members(): MemberInfo[] {
    return this.#o.membership.members();
  }

  peers(): string[] {
    return this.raftConfiguration()
      .Servers.filter((s) => s.Voter)
      .map((s) => s.Address);
  }

  raftConfiguration(): { Servers: RaftServerView[]; Index: number } {
    return raftConfiguration(this.#views());
  }

  removePeer(by: { id?: string; address?: string }): Promise<void> {
    return removePeer(this.#o.raft, this.raftConfiguration().Servers, by);
  }

  #views(): ServerViewSource {
    const { config, rpcAddress, raft, server, membership } = this.#o;
    return { nodeId: config.nodeId, nodeName: config.nodeName, rpcAddress, raft, server, membership };
  }

  autopilotHealth(): Promise<AutopilotHealth> {
    return this.#autopilot.health();
  }

  async keyring(op: KeyringOp, key: string): Promise<KeyringCounts> {
    const servers = this.#o.membership.aliveServers();
    const replies = await Promise.all(
      servers.map(async (s) => {
        if (s.id === this.#o.config.nodeId) return this.#o.keyring.apply(op, key);
        try {
          return await this.#rpc.keyring(s.rpcAddr, op, key, 5000);
        } catch (err) {
          throw operationFailed(`${s.name}: ${(err as Error).message}`);
        }
      }),
    );
    return countKeys(replies);
  }

  join(addrs: readonly string[]): Promise<number> {
    return this.#o.membership.join(addrs);
  }

  forceLeave(node: string, prune: boolean): boolean {
    const ok = this.#o.membership.forceLeave(node, prune);
    if (prune || ok) this.#duties?.kick();
    return ok;
  }

  stats(): { raft: Record<string, string>; serf_lan: Record<string, string>; leader: boolean; leaderAddr: string } {
    const leading = this.isLeader();
    return {
      leader: leading,
      leaderAddr: this.leaderAddress(),
      raft: raftStats({
        status: this.#o.raft.status(),
        stateIndex: this.#o.server.state.lastIndex,
        leading,
        lastContactMs: this.lastContactMs(),
        servers: this.raftConfiguration().Servers,
        snapshot: this.#o.raft.lastSnapshot(),
      }),
      serf_lan: this.#o.membership.serfStats(),
    };
  }

  droppedInputs(): DroppedInputs {
    return { raftNonMemberMessages: this.#o.raft.nonMemberMessagesDropped, ...gossipDropped(this.#o.membership.gossip.stats) };
  }

  async leave(): Promise<void> {
    const { raft, config, logger } = this.#o;
    await leaveRaft({ raft, self: config.nodeId, nodeName: config.nodeName, leaderAddress: () => this.leaderAddress(), rpc: this.#rpc, logger });
    await this.#o.membership.leave();
  }

  /**
   * The first step of a shutdown: RPCs from other agents are refused from now on (they try
   * another server; nothing was applied), a leader hands leadership to the most up-to-date
   * voter, so writes go on without waiting out an election timeout, and calls in progress get
   * up to `waitMs` to finish.
   */
  async drain(waitMs = 3000): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    await handOver(this.#o.raft, this.#o.config.nodeId, this.#o.logger);
    if (this.#inFlight.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.#inFlight]), new Promise<void>((r) => (timer = setTimeout(r, waitMs)))]);
    clearTimeout(timer);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#autopilot.stop();
    for (const u of this.#unsubscribe) u();
    this.#bootstrapper?.stop();
    this.#gossipHeal?.stop();
    this.#duties?.stop();
    this.#reaper?.stop();
    this.sessionTimers.clear();
    for (const w of this.#leaderWaiters) w();
    this.#rpc.close();
  }
}
