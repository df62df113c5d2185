import { EventEmitter } from 'node:events';
import { randomInt } from 'node:crypto';
import { bootstrapEntries } from '../core/bootstrap.js';
import { realTimers, Xoshiro128, type TimerHandle, type Timers } from '@concord/simkit';
import { RawNode, type Ready, type Status } from '../core/raw-node.js';
import type { ConfChangeItem, HardState, Message, NodeId, Role, SnapshotMeta } from '../core/types.js';
import { NotLeaderError, ProposalDroppedError, ProposalLostError, RaftError, ReadIndexError, StoppedError, LeadershipTransferError } from '../errors.js';
import type { DurableStorage, PersistBatch } from '../storage/durable-storage.js';
import { ReadPoints } from './read-points.js';
import type { SnapshotPieces, StateMachine } from './state-machine.js';
import type { Transport } from './transport.js';
import type { ProposalWaiter, ProposeResult, RaftNodeEvents, RaftNodeOptions } from './raft-node-options.js';
import { piecesOffLoop } from './snapshot-pieces.js';

export type { LeaderChange, ProposalWaiter, ProposeResult, RaftNodeEvents, RaftNodeOptions, RaftNodeTesting } from './raft-node-options.js';

/** Least time between two `nonMemberDropped` events. */
export const NON_MEMBER_REPORT_MS = 10_000;

function isLeaderStream(m: Message): boolean {
  return m.type === 'app' || m.type === 'heartbeat';
}

/** A proposal waiting for its entry: an application entry gets apply's result, a configuration change its index. */
type Pending<R> =
  | { readonly term: number; readonly waiter: ProposalWaiter<R>; readonly local: unknown }
  | { readonly term: number; readonly committed: (r: { index: number }) => void; readonly reject: (e: Error) => void };

const rejectPending = <R>(p: Pending<R>, e: Error): void => ('waiter' in p ? p.waiter.reject(e) : p.reject(e));

interface QueuedProposal<R> {
  readonly data: Uint8Array;
  readonly local: unknown;
  readonly waiter: ProposalWaiter<R>;
}

/**
 * The driver: binds the pure core to a DurableStorage, a Transport, real timers and the
 * application's StateMachine. Each Ready is applied at once, written (writes complete in order;
 * the storage merges queued ones into one synced batch), and its messages are sent when its
 * write is durable. Proposals arriving meanwhile join the next Ready (group commit).
 */
export class RaftNode<R = unknown> extends EventEmitter<RaftNodeEvents> {
  readonly id: NodeId;
  readonly #raw: RawNode;
  readonly #storage: DurableStorage;
  readonly #transport: Transport;
  readonly #sm: StateMachine<R>;
  readonly #tickMs: number;
  readonly #timers: Timers;
  readonly #inspectReady: ((ready: Ready, core: RawNode) => void) | undefined;
  readonly #snapshotThreshold: number;
  readonly #snapshotIntervalMs: number;
  #lastSnapshotAt = Number.NEGATIVE_INFINITY;
  readonly #trailingLogs: number;
  readonly #sync: boolean;
  #ticker: TimerHandle | undefined;
  #scheduled = false;
  #inflightWrites = 0;
  /** Steps queued on the pipeline (Ready writes and snapshot commits) that have not finished. */
  #queuedSteps = 0;
  #pipeline: Promise<void> = Promise.resolve();
  /** The snapshot being taken (one at a time): captured at `index`, its data not yet stored. */
  #snapshotJob: { readonly index: number; readonly done: Promise<void> } | undefined;
  readonly #maxPipelinedWrites: number;
  #stopped = false;
  #applied: number;
  /** The term of the last applied entry (or of the snapshot it was restored from). */
  #appliedTerm: number;
  /** The last term in which `leaderReady` was emitted. */
  #readyTerm = 0;
  #queue: QueuedProposal<R>[] = [];
  readonly #pending = new Map<number, Pending<R>>();
  readonly #readPoints: ReadPoints;
  #readSeq = 0;
  #role: Role = 'follower';
  #lead: NodeId = '';
  #transferWaiters: { target: NodeId; resolve: () => void; reject: (e: Error) => void; timer: TimerHandle }[] = [];
  /** Counters for status and benchmarks. */
  readonly metrics = {
    readies: 0,
    syncedReadies: 0,
    entriesPersisted: 0,
    applied: 0,
    snapshotsTaken: 0,
    snapshotsInstalled: 0,
    /** Snapshots taken whose data was not stored because one from the leader at or past their index was. */
    snapshotsSuperseded: 0,
    /** Milliseconds from capturing the last snapshot taken to storing it, and its size in bytes. */
    lastSnapshotMs: 0,
    lastSnapshotBytes: 0,
    commitOnlyAppendsMerged: 0,
    /** Messages dropped because their sender is not in this node's configuration. */
    nonMemberMessagesDropped: 0,
  };
  #nonMemberUnreported = 0;
  #nonMemberReportedAt = Number.NEGATIVE_INFINITY;
  /** A leader's entry-less appends (they only carry the commit index), held for one loop turn per peer. */
  #heldAppends = new Map<NodeId, Message>();
  /** A hard state whose only change (the commit index) is not written yet. */
  #unwrittenHardState: HardState | undefined;
  /** Loop turns run so far, and the turn in which the held appends started waiting. */
  #turn = 0;
  #heldSince = 0;

  private constructor(opts: RaftNodeOptions<R>, raw: RawNode, applied: { readonly index: number; readonly term: number }) {
    super();
    this.id = opts.id;
    this.#raw = raw;
    this.#storage = opts.storage;
    this.#transport = opts.transport;
    this.#sm = opts.stateMachine;
    this.#tickMs = opts.tickMs ?? 100;
    this.#timers = opts.timers ?? realTimers;
    this.#inspectReady = opts.testing?.inspectReady;
    this.#snapshotThreshold = opts.snapshotThreshold ?? 8192;
    this.#snapshotIntervalMs = opts.snapshotIntervalMs ?? 0;
    this.#trailingLogs = opts.trailingLogs ?? 10240;
    this.#sync = opts.sync ?? true;
    this.#readPoints = new ReadPoints(opts.readTimeoutMs ?? 5000, this.#timers);
    this.#maxPipelinedWrites = opts.maxPipelinedWrites ?? 4;
    this.#applied = applied.index;
    this.#appliedTerm = applied.term;
  }

  /** Open a node over its storage (bootstrapping a new cluster if asked) and start its timers. */
  static async start<R>(opts: RaftNodeOptions<R>): Promise<RaftNode<R>> {
    const storage = opts.storage;
    const empty = storage.lastIndex() === 0 && storage.snapshot().meta.index === 0 && storage.initialState().hardState.term === 0;
    if (empty && opts.bootstrap && opts.bootstrap.length > 0) {
      const b = bootstrapEntries(opts.bootstrap);
      await storage.save({ entries: b.entries, hardState: b.hardState, snapshot: undefined }, opts.sync ?? true);
    }
    const snap = storage.snapshot();
    if (snap.meta.index > 0) opts.stateMachine.restore(snap.data, { index: snap.meta.index, term: snap.meta.term });
    const raw = new RawNode(
      {
        ...opts.raft,
        id: opts.id,
        prng: opts.prng ?? new Xoshiro128(randomInt(2 ** 32)),
        applied: snap.meta.index,
        ...(opts.testing?.injectBug === undefined ? {} : { injectBug: opts.testing.injectBug }),
      },
      storage,
    );
    const node = new RaftNode<R>(opts, raw, { index: snap.meta.index, term: snap.meta.term });
    await opts.transport.start({
      onMessage: (m) => node.#onMessage(m),
      onUnreachable: (id) => {
        if (node.#stopped) return;
        node.#raw.reportUnreachable(id);
        node.#schedule();
      },
      onSnapshotStatus: (id, ok) => {
        if (node.#stopped) return;
        node.#raw.reportSnapshot(id, ok);
        node.#schedule();
      },
    });
    node.#ticker = node.#timers.setInterval(() => {
      node.#raw.tick();
      node.#schedule();
    }, node.#tickMs);
    node.#schedule();
    return node;
  }

  // ---- public API ------------------------------------------------------------------------

  /**
   * Replicate `data`; resolves once this node's state machine applied it, with apply's result.
   * `local` (if given) is handed to this node's state machine with the entry (`AppliedEntry.local`)
   * when the entry it applies at that index is this proposal: what `data` encodes, already
   * decoded, so the proposer need not decode it again. Other nodes, and this one replaying its
   * log, apply `data` alone, so `local` must be exactly what `data` decodes to.
   */
  propose(data: Uint8Array, local?: unknown): Promise<ProposeResult<R>> {
    return new Promise((resolve, reject) => this.proposeTo(data, local, { applied: resolve, reject }));
  }

  /**
   * `propose` that reports to `waiter` instead of through a promise (for a caller that keeps
   * its own promise per write, so that a write costs one). The waiter is called once, possibly
   * before this returns (a refused proposal).
   */
  proposeTo(data: Uint8Array, local: unknown, waiter: ProposalWaiter<R>): void {
    // An empty entry is raft's own (a new leader's first entry): the state machine never sees it.
    if (this.#stopped) waiter.reject(new StoppedError());
    else if (data.byteLength === 0) waiter.reject(new ProposalDroppedError('empty data (the state machine applies only non-empty entries)'));
    else if (this.#raw.raft.role !== 'leader') waiter.reject(new NotLeaderError(this.#raw.raft.lead));
    else {
      this.#queue.push({ data, local, waiter });
      this.#schedule();
    }
  }

  /**
   * A linearizable read point: resolves with an index once this node applied at least that far;
   * reading the state machine then observes every write acknowledged before the call.
   */
  readIndex(): Promise<number> {
    if (this.#stopped) return Promise.reject(new StoppedError());
    const ctx = `${this.id}:${++this.#readSeq}`;
    const read = this.#readPoints.add(ctx, () => this.#raw.readIndex(ctx));
    this.#schedule();
    return read;
  }

  /**
   * Start an election now instead of waiting for the election timeout (a single-voter cluster
   * uses it to lead at once). Pre-vote and the usual vote rules still apply.
   */
  campaign(): void {
    if (this.#stopped) return;
    this.#raw.campaign();
    this.#schedule();
  }

  /** Hand leadership to `target`; resolves when it is leader, rejects after an election timeout. */
  transferLeadership(target: NodeId): Promise<void> {
    if (this.#stopped) return Promise.reject(new StoppedError());
    try {
      this.#raw.transferLeader(target);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    this.#schedule();
    if (target === this.id) return Promise.resolve();
    const electionMs = (this.#raw.raft.cfg.electionTick * 2 + 2) * this.#tickMs;
    return new Promise((resolve, reject) => {
      const timer = this.#timers.setTimeout(() => {
        this.#transferWaiters = this.#transferWaiters.filter((w) => w.timer !== timer);
        reject(new LeadershipTransferError(`${target} did not become leader in time`));
      }, electionMs);
      this.#transferWaiters.push({ target, resolve, reject, timer });
    });
  }

  addVoter(id: NodeId): Promise<{ index: number }> {
    return this.#confChange({ type: 'addVoter', nodeId: id });
  }

  /** Add a non-voting member; promote it with addVoter once it caught up. */
  addLearner(id: NodeId): Promise<{ index: number }> {
    return this.#confChange({ type: 'addLearner', nodeId: id });
  }

  removeServer(id: NodeId): Promise<{ index: number }> {
    return this.#confChange({ type: 'removeNode', nodeId: id });
  }

  #confChange(change: ConfChangeItem): Promise<{ index: number }> {
    if (this.#stopped) return Promise.reject(new StoppedError());
    let r: { index: number; term: number };
    try {
      r = this.#raw.proposeConfChange({ changes: [change] });
    } catch (err) {
      return Promise.reject(err as Error);
    }
    this.#schedule();
    return new Promise((resolve, reject) => {
      this.#pending.set(r.index, { term: r.term, committed: resolve, reject });
    });
  }

  get leader(): NodeId {
    return this.#raw.raft.lead;
  }

  get term(): number {
    return this.#raw.raft.term;
  }

  isLeader(): boolean {
    return this.#raw.raft.role === 'leader';
  }

  /**
   * Leader with an entry of its own term applied: everything committed before it took over is in
   * the state machine, so local reads see every acknowledged write. Until then a new leader's
   * state machine may lag (the commit index it restarted with is only a lower bound).
   */
  isLeaderReady(): boolean {
    return this.isLeader() && this.#appliedTerm === this.#raw.raft.term;
  }

  /** Term, leader, commit and applied indexes, configuration and (on the leader) per-peer progress. */
  status(): Status {
    return { ...this.#raw.status(), applied: this.#applied };
  }

  /** Stop timers and the transport, wait for the write in progress, close the storage. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#ticker !== undefined) this.#timers.clearInterval(this.#ticker);
    const err = new StoppedError();
    for (const q of this.#queue) q.waiter.reject(err);
    this.#queue = [];
    for (const p of this.#pending.values()) rejectPending(p, err);
    this.#pending.clear();
    this.#readPoints.failAll(err);
    for (const w of this.#transferWaiters) this.#timers.clearTimeout(w.timer), w.reject(err);
    this.#transferWaiters = [];
    await this.#transport.close();
    // A snapshot being taken is finished and stored (a clean stop leaves it for the next start).
    await this.#snapshotJob?.done.catch(() => undefined);
    await this.#pipeline.catch(() => undefined);
    await this.#storage.close();
  }

  // ---- the loop --------------------------------------------------------------------------

  #onMessage(m: Message): void {
    if (this.#stopped) return;
    try {
      if (!this.#raw.step(m)) {
        this.#onNonMember(m);
        return;
      }
    } catch (err) {
      if (!(err instanceof RaftError) || err.code !== 'RAFT_STEP_LOCAL_MESSAGE') throw err;
    }
    this.#schedule();
  }

  #onNonMember(m: Message): void {
    this.metrics.nonMemberMessagesDropped++;
    this.#nonMemberUnreported++;
    const now = this.#timers.now();
    if (now - this.#nonMemberReportedAt < NON_MEMBER_REPORT_MS) return;
    this.#nonMemberReportedAt = now;
    const count = this.#nonMemberUnreported;
    this.#nonMemberUnreported = 0;
    const conf = this.#raw.confState();
    this.emit('nonMemberDropped', { from: m.from, type: m.type, count, members: [...conf.voters, ...conf.learners] });
  }

  /**
   * Run the loop once the current synchronous work and already-queued continuations are done, so
   * that everything arriving in one turn (a batch of messages, proposals from many callers)
   * lands in one Ready.
   */
  #schedule(): void {
    if (this.#scheduled || this.#stopped) return;
    this.#scheduled = true;
    this.#timers.defer(() => {
      this.#scheduled = false;
      try {
        this.#process();
      } catch (err) {
        this.#fail(err as Error);
      }
    });
  }

  #fail(err: Error): void {
    if (this.#stopped) return;
    void this.stop();
    this.emit('error', err);
  }

  #flushProposals(): void {
    if (this.#queue.length === 0) return;
    const batch = this.#queue;
    this.#queue = [];
    let r: { index: number; term: number };
    try {
      r = this.#raw.propose(batch.map((q) => q.data));
    } catch (err) {
      for (const q of batch) q.waiter.reject(err as Error);
      return;
    }
    for (let i = 0; i < batch.length; i++) {
      const q = batch[i] as QueuedProposal<R>;
      this.#pending.set(r.index + i, { term: r.term, waiter: q.waiter, local: q.local });
    }
  }

  /**
   * Take Readys while fewer than `maxPipelinedWrites` writes are in flight. For each: a leader
   * sends its appends and heartbeats at once; committed entries are applied at once (they are
   * durable on a majority); the write is queued (the storage merges queued writes into one
   * batch); when it completes, in order, the other messages go out and advanceStable() runs.
   * The core counts the leader's own copy toward a quorum only once it is durable, so no commit
   * index leaves this node covering entries that exist only in memory.
   */
  #process(): void {
    if (this.#stopped) return;
    this.#turn++;
    this.#flushProposals();
    while (this.#inflightWrites < this.#maxPipelinedWrites && this.#raw.hasReady()) {
      const rd = this.#raw.ready();
      this.metrics.readies++;
      this.#inspectReady?.(rd, this.#raw);
      const early = this.#raw.raft.role === 'leader' ? rd.messages.filter(isLeaderStream) : [];
      this.#sendEarly(early);
      this.#apply(rd);
      this.#raw.advanceApplied(rd);
      if (rd.softState) this.#onSoftState(rd.softState.lead, rd.softState.role);
      this.#maybeLeaderReady();
      if (this.#queuedSteps === 0 && this.#storage.saveNow) {
        // Stored at once with nothing ahead of it: finished in this turn, so that the next Ready
        // (which commits and applies these entries on a single voter) is taken in this turn too.
        this.#writeNow(rd);
        for (const m of rd.messages) if (!early.includes(m)) this.#transport.send(m);
        this.#raw.advanceStable(rd);
        continue;
      }
      const write = this.#write(rd);
      write.catch(() => undefined);
      this.#inflightWrites++;
      this.#enqueue(async () => {
        await write;
        this.#inflightWrites--;
        if (this.#stopped) return;
        for (const m of rd.messages) if (!early.includes(m)) this.#transport.send(m);
        this.#raw.advanceStable(rd);
        this.#schedule();
      });
    }
    this.#releaseHeldAppends();
    this.#maybeSnapshot();
  }

  /**
   * A leader's appends and heartbeats go out at once, except appends without entries: they only
   * tell a follower the new commit index, and when a proposal follows (a client that writes again
   * as soon as its write is acknowledged), the next append carries that commit index anyway. Such
   * an append is held until the end of the next loop turn; a later append to the same peer in the
   * same term replaces it. This halves the messages, follower writes and acknowledgements per
   * commit for a sequential writer. Raft tolerates any message being dropped, and a held append
   * is never delayed past the next turn.
   */
  #sendEarly(early: readonly Message[]): void {
    for (const m of early) {
      const held = this.#heldAppends.get(m.to);
      if (m.type === 'app' && m.entries.length === 0) {
        if (held) this.metrics.commitOnlyAppendsMerged++;
        else if (this.#heldAppends.size === 0) this.#heldSince = this.#turn;
        this.#heldAppends.set(m.to, m);
        continue;
      }
      if (held && m.type === 'app' && m.term === held.term && m.commit >= held.commit) {
        this.#heldAppends.delete(m.to);
        this.metrics.commitOnlyAppendsMerged++;
      }
      this.#transport.send(m);
    }
  }

  /** Send the appends held since the previous turn; hold new ones until the next turn. */
  #releaseHeldAppends(): void {
    if (this.#heldAppends.size === 0) return;
    if (this.#heldSince === this.#turn) {
      // Held during this turn: give the next turn (which a proposal may join) the chance to carry them.
      this.#schedule();
      return;
    }
    for (const m of this.#heldAppends.values()) this.#transport.send(m);
    this.#heldAppends.clear();
  }

  /** Run `step` after every earlier step; a failure stops the node. */
  #enqueue(step: () => Promise<void>): void {
    this.#queuedSteps++;
    const next = this.#pipeline.then(step).finally(() => {
      this.#queuedSteps--;
    });
    next.catch((err: unknown) => this.#fail(err as Error));
    this.#pipeline = next;
  }

  /** `#write` through a storage's `saveNow`: done when it returns. */
  #writeNow(rd: Ready): void {
    if (rd.entries.length === 0 && !rd.snapshot && !rd.mustSync) {
      // only the commit index moved (see #write)
      if (rd.hardState) this.#unwrittenHardState = rd.hardState;
      return;
    }
    const hardState = rd.hardState ?? this.#unwrittenHardState;
    this.#unwrittenHardState = undefined;
    this.metrics.entriesPersisted += rd.entries.length;
    const batch: PersistBatch = { entries: rd.entries, hardState, snapshot: rd.snapshot };
    this.#storage.saveNow?.(batch);
  }

  #write(rd: Ready): Promise<void> {
    if (rd.entries.length === 0 && !rd.snapshot && !rd.mustSync) {
      // Only the commit index moved. It is volatile state in Raft (a restarted node learns it from
      // the leader, and a stored one that lags is never a problem), so it waits for the next
      // write that has to happen anyway instead of costing a write of its own.
      if (rd.hardState) this.#unwrittenHardState = rd.hardState;
      return Promise.resolve();
    }
    const hardState = rd.hardState ?? this.#unwrittenHardState;
    this.#unwrittenHardState = undefined;
    const sync = this.#sync && (rd.mustSync || rd.snapshot !== undefined);
    if (sync) this.metrics.syncedReadies++;
    this.metrics.entriesPersisted += rd.entries.length;
    return this.#storage.save({ entries: rd.entries, hardState, snapshot: rd.snapshot }, sync);
  }

  #apply(rd: Ready): void {
    if (rd.snapshot) {
      const m = rd.snapshot.meta;
      this.#sm.restore(rd.snapshot.data, { index: m.index, term: m.term });
      this.#applied = m.index;
      this.#appliedTerm = m.term;
      this.metrics.snapshotsInstalled++;
      for (const [idx, p] of this.#pending) {
        if (idx <= m.index) {
          this.#pending.delete(idx);
          rejectPending(p, new RaftError('RAFT_PROPOSAL_UNKNOWN', `outcome of entry ${idx} unknown: replaced by a snapshot`));
        }
      }
      this.emit('snapshot', { index: m.index, term: m.term, installed: true });
    }
    for (const e of rd.committedEntries) {
      const p = this.#pending.get(e.index);
      if (e.type === 'normal' && e.data.byteLength > 0) {
        // The entry at a proposal's index in the proposal's term is that proposal (one leader per term).
        const local = p !== undefined && p.term === e.term && 'waiter' in p ? p.local : undefined;
        const result = this.#sm.apply(local === undefined ? { index: e.index, term: e.term, data: e.data } : { index: e.index, term: e.term, data: e.data, local });
        this.#appliedUpTo(e);
        if (p) this.#settle(p, e, { index: e.index, result });
      } else {
        this.#appliedUpTo(e);
        if (p) this.#settle(p, e, undefined);
      }
    }
    this.#readPoints.advance(rd.readStates, this.#applied);
  }

  /**
   * Settles the proposal waiting at `e`'s index: the entry committed is the one proposed when its
   * term is the proposal's; an application entry then carries apply's result (proposals are never
   * empty, see propose), a configuration change its index.
   */
  #settle(p: Pending<R>, e: { readonly index: number; readonly term: number }, applied: ProposeResult<R> | undefined): void {
    this.#pending.delete(e.index);
    if (p.term !== e.term) rejectPending(p, new ProposalLostError(e.index));
    else if ('committed' in p) p.committed({ index: e.index });
    else if (applied) p.waiter.applied(applied);
    else p.waiter.reject(new ProposalLostError(e.index));
  }

  #appliedUpTo(e: { readonly index: number; readonly term: number }): void {
    this.#applied = e.index;
    this.#appliedTerm = e.term;
    this.metrics.applied++;
  }

  #onSoftState(lead: NodeId, role: Role): void {
    const changed = lead !== this.#lead || role !== this.#role;
    const leaderChanged = lead !== this.#lead;
    this.#lead = lead;
    this.#role = role;
    if (!changed) return;
    // Reads not yet confirmed may never be answered by the old leader.
    if (leaderChanged) this.#readPoints.failUnconfirmed(new ReadIndexError('leader changed'));
    for (const w of this.#transferWaiters.filter((x) => x.target === lead)) {
      this.#timers.clearTimeout(w.timer);
      w.resolve();
    }
    this.#transferWaiters = this.#transferWaiters.filter((x) => x.target !== lead);
    this.emit('leaderChange', { leader: lead, term: this.#raw.raft.term, role });
  }

  #maybeLeaderReady(): void {
    const term = this.#raw.raft.term;
    if (this.#readyTerm === term || !this.isLeaderReady()) return;
    this.#readyTerm = term;
    this.emit('leaderReady', { term });
  }

  /**
   * Take a snapshot at the applied index now, whatever the threshold and interval. Resolves once
   * it is stored (or superseded by one from the leader). While one is being taken nothing new is
   * captured, and the promise is that one's; when nothing was applied since the last snapshot,
   * it resolves at once. A failure to store it stops the node (see the `error` event); the
   * promise itself never rejects.
   */
  snapshotNow(): Promise<void> {
    this.#maybeSnapshot(true);
    return this.#snapshotJob ? this.#snapshotJob.done.catch(() => undefined) : Promise.resolve();
  }

  /** The stored snapshot's index and term (0 and 0 before the first). */
  lastSnapshot(): { readonly index: number; readonly term: number } {
    const m = this.#storage.snapshot().meta;
    return { index: m.index, term: m.term };
  }

  /** The snapshot being taken, if any: the index it was captured at. */
  snapshotInProgress(): { readonly index: number } | undefined {
    return this.#snapshotJob ? { index: this.#snapshotJob.index } : undefined;
  }

  /**
   * Captures the state at the applied index (synchronously: `snapshotPieces()`, or `snapshot()`),
   * then stores it off the hot path: the pieces are taken one per loop turn and staged by the
   * storage beside the log while entries go on being proposed, written and applied; once staged,
   * the snapshot is committed (made current, the log compacted) in order with the log writes.
   * A crash before the commit leaves the previous snapshot and the whole log.
   */
  #maybeSnapshot(force = false): void {
    if (this.#snapshotJob || this.#stopped) return;
    const snapIndex = this.#storage.snapshot().meta.index;
    if (force ? this.#applied <= snapIndex : this.#applied - snapIndex < this.#snapshotThreshold) return;
    const now = this.#timers.now();
    if (!force && this.#snapshotIntervalMs > 0 && now - this.#lastSnapshotAt < this.#snapshotIntervalMs) return;
    this.#lastSnapshotAt = now;
    const meta: SnapshotMeta = { index: this.#applied, term: this.#appliedTerm, conf: this.#raw.confState() };
    const source: SnapshotPieces = this.#sm.snapshotPieces ? this.#sm.snapshotPieces() : [this.#sm.snapshot()];
    const compactTo = Math.max(0, meta.index - this.#trailingLogs);
    const done = this.#storeSnapshot(meta, source, compactTo, now);
    this.#snapshotJob = { index: meta.index, done };
    done.then(
      () => {
        this.#snapshotJob = undefined;
      },
      (err: unknown) => {
        this.#snapshotJob = undefined;
        this.#fail(err as Error);
      },
    );
  }

  async #storeSnapshot(meta: SnapshotMeta, source: SnapshotPieces, compactTo: number, startedAt: number): Promise<void> {
    const staged = await this.#storage.stageSnapshot(meta, piecesOffLoop(source, this.#timers));
    // Committed after the log writes queued so far, which hold every entry up to its index.
    const snap = await new Promise<Awaited<ReturnType<DurableStorage['commitSnapshot']>>>((resolve, reject) => {
      this.#enqueue(() => {
        // A snapshot received from the leader meanwhile may already cover this index.
        if (this.#storage.snapshot().meta.index >= meta.index) return this.#storage.discardSnapshot(staged).then(() => resolve(undefined), reject);
        return this.#storage.commitSnapshot(staged, compactTo).then(resolve, reject);
      });
    });
    if (!snap) {
      // A snapshot from the leader at or past this index was installed meanwhile.
      this.metrics.snapshotsSuperseded++;
      return;
    }
    this.metrics.snapshotsTaken++;
    this.metrics.lastSnapshotMs = this.#timers.now() - startedAt;
    this.metrics.lastSnapshotBytes = staged.bytes;
    this.emit('snapshot', { index: snap.meta.index, term: snap.meta.term, installed: false });
  }
}
