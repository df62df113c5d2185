/**
 * A server's command log: raft-ts over its write-ahead log storage (WalStorage) in the data dir (or, in -dev, over
 * MemoryStorage with nothing on disk), on the agent's RPC port: Raft is sent over the framed
 * TCP/TLS transport (raft-ts/tcp) by default, or over gRPC (`raftTransport: 'grpc'`); a server
 * accepts both inbound whichever it sends with. The node starts when the storage already holds a
 * log (a restart), when the bootstrap logic decides on the initial voters (a -dev agent is its own
 * only voter), or when this server is told to wait to be added by an existing leader.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Socket } from 'node:net';
import type * as grpc from '@grpc/grpc-js';
import type { RpcDialer } from './rpc.js';
import type { Logger } from 'pino';
import {
  type DurableStorage,
  LogCorruptionError,
  MemoryStorage,
  type Message,
  NON_MEMBER_REPORT_MS,
  type ProposalWaiter,
  type ProposeResult,
  NotLeaderError,
  type PersistBatch,
  RaftNode,
  type Status,
  type Transport,
  type TransportHandler,
} from 'raft-ts';
import { GrpcTransport } from 'raft-ts/grpc';
import { type RaftPeerAuth, TcpTransport } from 'raft-ts/tcp';
import type { RaftTcpTls } from '../tls/raft-tls.js';
import { openWalMigratingLevel } from 'raft-ts/level';
import type { CommandLog, LogStateMachine, Proposal } from '../log/command-log.js';
import type { RequestTransport } from './leader-channel.js';

export interface RaftLogOptions {
  /** This server's raft ID (its node ID). */
  id: string;
  /**
   * Directory of the raft database and the peer address book; undefined keeps the log in memory
   * (-dev: nothing is written and nothing survives a restart).
   */
  dir: string | undefined;
  rpcServer: grpc.Server;
  /** Cap on one raft gRPC message each way (the largest entry must fit). */
  maxMessageBytes: number;
  logger: Logger;
  tickMs?: number;
  snapshotThreshold?: number;
  snapshotIntervalMs?: number;
  trailingLogs?: number;
  proposeTimeoutMs?: number;
  /** How long a proposal may still commit after this node stopped leading. */
  leadershipLostGraceMs?: number;
  /** How to dial the other servers (plaintext by default). */
  dial?: RpcDialer;
  /** Which inbound Raft connections may deliver messages (see raft-ts/tcp and raft-ts/grpc `authorize`). */
  authorize?: (auth: RaftPeerAuth) => boolean;
  /** Which transport sends: the framed TCP one (default) or gRPC. Both receive. */
  raftTransport?: RaftTransportKind;
  /** TLS of the framed transport (plaintext when absent). */
  tcpTls?: RaftTcpTls;
  /** Registers where the RPC port hands its Raft connections (the framed transport's inbound side). */
  acceptRaft?: (fn: (socket: Socket) => void) => void;
}

export type RaftTransportKind = 'tcp' | 'grpc';

/** A transport that takes peer addresses. */
type PeerTransport = Transport & { setPeer(id: string, address: string): void };

const LEADERSHIP_LOST_GRACE_MS = 2000;
/** How often the deadlines of proposals in flight are checked. */
const PROPOSAL_SWEEP_MS = 100;

/**
 * A proposal waiting to commit, rejected at its timeout or at the end of its grace after
 * leadership was lost; settled once, by whichever comes first. It is the node's waiter for the
 * proposal, so a write costs one promise (the caller's).
 */
interface InFlight {
  readonly timeoutAt: number;
  graceUntil: number;
  reject(err: Error): void;
}

class InFlightProposal implements ProposalWaiter<unknown>, InFlight {
  graceUntil = Number.POSITIVE_INFINITY;
  constructor(
    readonly inFlight: Set<InFlight>,
    readonly timeoutAt: number,
    readonly resolve: (p: Proposal<unknown>) => void,
    readonly fail: (err: Error) => void,
  ) {}

  applied(r: ProposeResult<unknown>): void {
    if (this.inFlight.delete(this)) this.resolve(r);
  }

  reject(err: Error): void {
    if (this.inFlight.delete(this)) this.fail(err);
  }
}

/** The leader stepped down with the proposal uncommitted; it may still commit later. */
export class LeadershipLostError extends Error {
  readonly code = 'AGENT_LEADERSHIP_LOST';
  constructor() {
    super('leadership lost while committing log');
  }
}

/** A proposal that did not commit in time; it may still commit later. */
export class ProposeTimeoutError extends Error {
  readonly code = 'AGENT_PROPOSE_TIMEOUT';
  constructor(ms: number) {
    super(`timed out after ${ms} ms waiting for the write to commit; its outcome is unknown`);
  }
}

/** Holds the transport's inbound traffic until the node starts, and notes leader contact. */
class GatedTransport implements Transport {
  /** The transport that sends. */
  readonly inner: PeerTransport;
  /** The framed transport, which also carries requests between servers (see leader-channel.ts). */
  readonly requests: TcpTransport;
  /** Every transport that receives (the sending one among them). */
  readonly #receivers: readonly PeerTransport[];
  #handler: TransportHandler | undefined;
  #started = false;
  lastLeaderContact = 0;
  onEarlyMessage: (m: Message) => void = () => {};

  constructor(inner: PeerTransport, receivers: readonly PeerTransport[], requests: TcpTransport) {
    this.inner = inner;
    this.requests = requests;
    this.#receivers = receivers;
  }

  setPeer(id: string, address: string): void {
    for (const r of this.#receivers) r.setPeer(id, address);
  }

  async listen(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    const handler: TransportHandler = {
      onMessage: (m) => {
        if (m.type === 'app' || m.type === 'heartbeat' || m.type === 'snap') this.lastLeaderContact = Date.now();
        if (this.#handler) this.#handler.onMessage(m);
        else this.onEarlyMessage(m);
      },
      onUnreachable: (id) => this.#handler?.onUnreachable(id),
      onSnapshotStatus: (id, ok) => this.#handler?.onSnapshotStatus(id, ok),
    };
    for (const r of this.#receivers) await r.start(handler);
  }

  async start(handler: TransportHandler): Promise<void> {
    this.#handler = handler;
    await this.listen();
  }

  send(m: Message): void {
    this.inner.send(m);
  }

  async close(): Promise<void> {
    await Promise.all(this.#receivers.map((r) => r.close()));
  }
}

/** The framed transport and the gRPC one on the RPC port; `kind` says which sends. */
function raftTransports(o: RaftLogOptions): GatedTransport {
  const grpcT = new GrpcTransport({
    id: o.id,
    server: o.rpcServer,
    maxMessageBytes: o.maxMessageBytes,
    ...(o.dial ? { dial: o.dial } : {}),
    ...(o.authorize ? { authorize: o.authorize } : {}),
  });
  const tcpT = new TcpTransport({
    id: o.id,
    maxFrameBytes: o.maxMessageBytes,
    ...(o.tcpTls ? { dial: o.tcpTls.dial, requireTls: o.tcpTls.requireTls, ...(o.tcpTls.serverTls ? { serverTls: o.tcpTls.serverTls } : {}) } : {}),
    ...(o.authorize ? { authorize: o.authorize } : {}),
    onRefused: (reason) => o.logger.debug({ reason }, 'raft: refused an inbound connection'),
  });
  o.acceptRaft?.((socket) => tcpT.accept(socket));
  return new GatedTransport((o.raftTransport ?? 'tcp') === 'tcp' ? tcpT : grpcT, [tcpT, grpcT], tcpT);
}

/**
 * The -dev log: in memory, so a write is stored the moment it is made, and raft-ts stores,
 * commits and applies each batch of proposals in the loop turn that proposed it (`saveNow`).
 */
class InMemoryLog extends MemoryStorage {
  saveNow(batch: PersistBatch): void {
    this.saveSync(batch);
  }
}

export interface LeaderState {
  leader: string;
  term: number;
  isLeader: boolean;
}

/** The server's log; `R` is what the state machine's apply returns to the proposer. */
export class RaftLog<R = unknown> implements CommandLog<R> {
  readonly #o: RaftLogOptions;
  readonly #transport: GatedTransport;
  readonly #peers = new Map<string, string>();
  #storage: DurableStorage | undefined;
  #sm: LogStateMachine<R> | undefined;
  #node: RaftNode<R> | undefined;
  #starting: Promise<void> | undefined;
  #closed = false;
  #listeners: ((s: LeaderState) => void)[] = [];
  /** Proposals waiting to commit, given a grace period when this node stops leading. */
  readonly #inFlight = new Set<InFlight>();
  #sweeper: NodeJS.Timeout | undefined;
  #wasLeader = false;

  constructor(o: RaftLogOptions) {
    this.#o = o;
    this.#transport = raftTransports(o);
    for (const [id, addr] of Object.entries(this.#readPeers())) this.setPeer(id, addr, false);
  }

  /** Opens the storage (refusing a damaged log); a server with a log on disk starts its node at once. */
  async open(sm: LogStateMachine<R>): Promise<void> {
    this.#sm = sm;
    this.#storage = this.#o.dir === undefined ? new InMemoryLog() : await openStorage(this.#o.dir);
    await this.#transport.listen();
    if (this.hasState()) await this.start(undefined);
  }

  /** True when the storage holds a log, a snapshot or a vote (this server was part of a cluster). */
  hasState(): boolean {
    const s = this.#storage;
    if (!s) return false;
    return s.lastIndex() > 0 || s.snapshot().meta.index > 0 || s.initialState().hardState.term > 0;
  }

  /**
   * Requests to other servers and their answers on the Raft connections (the framed transport
   * is always open inbound, whichever transport Raft sends with).
   */
  get requests(): RequestTransport {
    return this.#transport.requests;
  }

  /** Called with raft messages that arrive before the node runs. */
  set onEarlyMessage(fn: (m: Message) => void) {
    this.#transport.onEarlyMessage = fn;
  }

  get started(): boolean {
    return this.#node !== undefined;
  }

  /** Starts the node: with `voters` on an empty log it bootstraps a new cluster of exactly them. */
  start(voters: readonly string[] | undefined): Promise<void> {
    this.#starting ??= this.#start(voters);
    return this.#starting;
  }

  async #start(voters: readonly string[] | undefined): Promise<void> {
    const storage = this.#storage;
    const sm = this.#sm;
    if (!storage || !sm || this.#closed) return;
    if (voters) this.#o.logger.info({ voters }, 'raft: bootstrapping a new cluster');
    const node = await RaftNode.start<R>({
      id: this.#o.id,
      storage,
      transport: this.#transport,
      stateMachine: {
        apply: (e) => sm.apply(e.index, e.data, e.local),
        snapshot: () => sm.snapshot(),
        // captured at once, encoded and written off the hot path (see raft-ts's StateMachine)
        ...(sm.snapshotPieces ? { snapshotPieces: () => sm.snapshotPieces!() } : {}),
        restore: (data, meta) => sm.restore(meta.index, data),
      },
      ...(voters ? { bootstrap: voters } : {}),
      tickMs: this.#o.tickMs ?? 100,
      snapshotThreshold: this.#o.snapshotThreshold ?? 8192,
      snapshotIntervalMs: this.#o.snapshotIntervalMs ?? 0,
      trailingLogs: this.#o.trailingLogs ?? 10240,
      // Nothing to fsync in memory.
      sync: this.#o.dir !== undefined,
    });
    this.#node = node;
    node.on('leaderChange', (c) => {
      this.#o.logger.info({ leader: c.leader, term: c.term, role: c.role }, 'raft: leader changed');
      const leading = c.role === 'leader';
      if (!leading) this.#leadershipLost();
      // A leader that steps down last "heard from the leader" (itself) now.
      if (this.#wasLeader && !leading) this.#transport.lastLeaderContact = Date.now();
      this.#wasLeader = leading;
      // A new leader counts as one (for this server and for whoever asks it) once it is ready.
      const ready = node.isLeaderReady();
      this.#notify({ leader: leading && !ready ? '' : c.leader, term: c.term, isLeader: ready });
    });
    node.on('leaderReady', ({ term }) => {
      this.#o.logger.info({ term }, 'raft: leader ready (an entry of its term is applied)');
      this.#notify({ leader: this.#o.id, term, isLeader: true });
    });
    node.on('error', (err) => this.#o.logger.error({ err: String(err) }, 'raft: node stopped on error'));
    node.on('nonMemberDropped', (d) => {
      this.#o.logger.warn(
        { from: d.from, type: d.type, dropped: d.count, members: d.members },
        `raft: dropped ${d.count} message(s) from servers outside the raft configuration (latest: ${d.type} from ${JSON.stringify(d.from)}); reported at most every ${NON_MEMBER_REPORT_MS / 1000}s. If it is a new server, it must be added first (it joins through gossip); if this server missed configuration changes while it was away, restart it with an empty data dir so it rejoins`,
      );
    });
    node.on('snapshot', (s) => {
      if (s.installed) this.#o.logger.info({ index: s.index, term: s.term }, 'raft: installed a snapshot from the leader');
      else this.#o.logger.debug({ index: s.index, term: s.term }, 'raft: took a snapshot');
    });
  }

  #notify(s: LeaderState): void {
    for (const l of this.#listeners) l(s);
  }

  onLeaderChange(fn: (s: LeaderState) => void): () => void {
    this.#listeners.push(fn);
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== fn);
    };
  }

  /**
   * Proposes a command. A proposal that does not settle within `proposeTimeoutMs` (a leader cut
   * off from its quorum) is rejected; its outcome is then unknown, as with any timeout. Deadlines
   * are checked by one sweep for all proposals in flight, not a timer each, so a write costs no
   * timer of its own.
   */
  propose(data: Uint8Array, local?: unknown): Promise<Proposal<R>> {
    const node = this.#node;
    if (!node) return Promise.reject(new NotLeaderError(''));
    return new Promise((resolve, reject) => {
      const p = new InFlightProposal(this.#inFlight, Date.now() + this.#proposeTimeoutMs, resolve as (p: Proposal<unknown>) => void, reject);
      this.#inFlight.add(p);
      this.#sweeper ??= setInterval(() => this.#sweep(), PROPOSAL_SWEEP_MS).unref();
      node.proposeTo(data, local, p);
    });
  }

  get #proposeTimeoutMs(): number {
    return this.#o.proposeTimeoutMs ?? 15_000;
  }

  /**
   * This node stopped leading. A proposal in flight may still commit under the next leader (it
   * always does after a hand-over), and this node then applies it and settles it; only if that
   * does not happen within the grace period is its outcome reported as unknown.
   */
  #leadershipLost(): void {
    const until = Date.now() + (this.#o.leadershipLostGraceMs ?? LEADERSHIP_LOST_GRACE_MS);
    for (const p of this.#inFlight) if (p.graceUntil === Number.POSITIVE_INFINITY) p.graceUntil = until;
  }

  /** Rejects the proposals past their grace period or their timeout; stops sweeping once none is left. */
  #sweep(): void {
    const now = Date.now();
    for (const p of this.#inFlight) {
      // reject takes the proposal out of the set (deleting during for-of is safe for a Set)
      if (now >= p.graceUntil) p.reject(new LeadershipLostError());
      else if (now >= p.timeoutAt) p.reject(new ProposeTimeoutError(this.#proposeTimeoutMs));
    }
    if (this.#inFlight.size === 0) {
      clearInterval(this.#sweeper);
      this.#sweeper = undefined;
    }
  }

  readIndex(): Promise<number> {
    const node = this.#node;
    if (!node) return Promise.reject(new NotLeaderError(''));
    return node.readIndex();
  }

  /**
   * Leads and has applied an entry of its own term. Until then a new leader's state may lag what
   * was committed before it took over, so it neither answers nor counts as the known leader.
   */
  isLeader(): boolean {
    return this.#node?.isLeaderReady() ?? false;
  }

  /** The leader's raft ID, or '' when none is known (or this server leads but is not ready). */
  get leader(): string {
    const node = this.#node;
    if (!node) return '';
    return node.isLeader() && !node.isLeaderReady() ? '' : node.leader;
  }

  /** Raft messages dropped because their sender is not in the configuration. */
  get nonMemberMessagesDropped(): number {
    return this.#node?.metrics.nonMemberMessagesDropped ?? 0;
  }

  get node(): RaftNode<R> | undefined {
    return this.#node;
  }

  status(): Status | undefined {
    return this.#node?.status();
  }

  /** The stored raft snapshot's index and term, once the node runs. */
  lastSnapshot(): { index: number; term: number } | undefined {
    return this.#node?.lastSnapshot();
  }

  /** Milliseconds since the leader was last heard from (0 on the leader). */
  lastContactMs(): number {
    // A leader (ready or not) is its own contact; so is one whose step-down the driver has not
    // reported yet (its role changed, the leaderChange event that notes the time is still to come).
    if (this.isLeader() || this.#wasLeader) return 0;
    const at = this.#transport.lastLeaderContact;
    return at === 0 ? Number.MAX_SAFE_INTEGER : Date.now() - at;
  }

  /** The RPC address of a server, from gossip or the persisted address book. */
  peerAddress(id: string): string | undefined {
    return this.#peers.get(id);
  }

  setPeer(id: string, address: string, persist = true): void {
    if (id === this.#o.id || this.#peers.get(id) === address) return;
    this.#peers.set(id, address);
    this.#transport.setPeer(id, address);
    if (persist) this.#writePeers();
  }

  #readPeers(): Record<string, string> {
    if (this.#o.dir === undefined) return {};
    try {
      return JSON.parse(readFileSync(join(this.#o.dir, 'peers.json'), 'utf8')) as Record<string, string>;
    } catch {
      return {};
    }
  }

  #writePeers(): void {
    if (this.#o.dir === undefined) return;
    const path = join(this.#o.dir, 'peers.json');
    try {
      writeFileSync(`${path}.tmp`, JSON.stringify(Object.fromEntries(this.#peers)), { mode: 0o600 });
      renameSync(`${path}.tmp`, path);
    } catch (err) {
      this.#o.logger.warn({ err: String(err) }, 'raft: could not save the peer address book');
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#starting?.catch(() => {});
    if (this.#node) {
      // A clean shutdown stores a snapshot of what was applied since the last one (stop waits for
      // the write): the next start restores it instead of replaying those entries one by one,
      // which at a million keys is about twice the work. A log in memory keeps nothing to restore.
      if (this.#o.dir !== undefined) {
        // one being taken is finished first; then one of everything applied since
        await this.#node.snapshotNow();
        void this.#node.snapshotNow();
      }
      await this.#node.stop();
    } else {
      await this.#transport.close();
      await this.#storage?.close();
    }
  }
}

/**
 * CONCORD_RAFT_WAL_INLINE_SYNC_BYTES sets the size up to which a synced log write is made on the
 * event loop's thread (raft-ts WalStorage `inlineSyncBytes`; unset or 0: every write goes through
 * the thread pool), for benchmarks that compare the two.
 */
function walOptionsFromEnv(): { inlineSyncBytes?: number } {
  const v = process.env.CONCORD_RAFT_WAL_INLINE_SYNC_BYTES;
  if (v === undefined || v === '') return {};
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`CONCORD_RAFT_WAL_INLINE_SYNC_BYTES must be a whole number of bytes, not ${JSON.stringify(v)}`);
  return { inlineSyncBytes: n };
}

/**
 * Opens the write-ahead log `<raft dir>/wal` (carrying over, once, a log an earlier version kept in
 * LevelDB at `<raft dir>/db`). A damaged log is refused with one line that names the data dir, what was
 * found and how to recover: serving from it would answer without writes that were acknowledged.
 */
async function openStorage(raftDir: string): Promise<DurableStorage> {
  try {
    return await openWalMigratingLevel(join(raftDir, 'wal'), join(raftDir, 'db'), walOptionsFromEnv());
  } catch (err) {
    if (!(err instanceof LogCorruptionError)) throw err;
    const dataDir = dirname(raftDir);
    throw new Error(
      `the raft log in data dir ${dataDir} is damaged (${err.path}): ${err.found}. This server will not start, because it would serve without writes that were acknowledged. ` +
        `To recover: if the other servers are healthy, stop this one, move ${raftDir} aside and start it again, so it rejoins and the leader sends it a snapshot; ` +
        `if no healthy server is left, move ${raftDir} aside on one server, start it alone with -bootstrap, restore the latest snapshot with \`concord snapshot restore <file>\` (this replaces Consul's peers.json recovery), and join the others to it after clearing their raft directories too`,
    );
  }
}
