import { InvariantViolation, RaftError } from '../errors.js';
import type { RaftConfig } from './config.js';
import type { ProgressState } from './progress.js';
import { Raft } from './raft.js';
import type { Storage } from './storage.js';
import {
  decodeConfChange,
  hardStateEqual,
  isEmptyHardState,
  message,
  type ConfChange,
  type ConfState,
  type Entry,
  type HardState,
  type Message,
  type NodeId,
  type ReadState,
  type Role,
  type Snapshot,
  type SoftState,
} from './types.js';

/**
 * One batch of work for the application. The simple procedure: persist `entries`, `hardState` and
 * `snapshot` (one durable write; `mustSync` says whether an fsync is needed); then send
 * `messages`; then apply `snapshot` and `committedEntries`; then advance(). A pipelining driver
 * may instead apply at once (advanceApplied), start the write, take the next Ready, and send the
 * messages and call advanceStable when the write completes, in Ready order. A leader may send its
 * 'app' and 'heartbeat' messages before its write completes.
 */
export interface Ready {
  readonly softState: SoftState | undefined;
  readonly hardState: HardState | undefined;
  readonly readStates: readonly ReadState[];
  readonly entries: readonly Entry[];
  readonly snapshot: Snapshot | undefined;
  readonly committedEntries: readonly Entry[];
  readonly messages: readonly Message[];
  readonly mustSync: boolean;
}

export interface PeerProgress {
  readonly match: number;
  readonly next: number;
  readonly state: ProgressState;
  readonly recentActive: boolean;
  readonly isLearner: boolean;
  readonly inflight: number;
}

export interface Status {
  readonly id: NodeId;
  readonly term: number;
  readonly vote: NodeId;
  readonly commit: number;
  readonly applied: number;
  readonly lastIndex: number;
  readonly lead: NodeId;
  readonly role: Role;
  readonly conf: ConfState;
  readonly leadTransferee: NodeId;
  /** Per-peer replication progress; only filled on the leader. */
  readonly progress: ReadonlyMap<NodeId, PeerProgress>;
}

const LOCAL_TYPES = new Set<Message['type']>(['hup', 'beat', 'checkQuorum', 'unreachable', 'snapStatus']);
const RESPONSE_TYPES = new Set<Message['type']>(['appResp', 'voteResp', 'preVoteResp', 'heartbeatResp']);

/** The application-facing API of the core (after etcd-io/raft's RawNode). Not re-entrant. */
export class RawNode {
  readonly raft: Raft;
  #prevSoft: SoftState;
  #prevHard: HardState;
  #applyPending = false;
  /** Messages dropped because their sender was not in this node's configuration. */
  droppedFromNonMembers = 0;

  constructor(config: RaftConfig, storage: Storage) {
    this.raft = new Raft(config, storage);
    this.#prevSoft = this.raft.softState();
    this.#prevHard = this.raft.hardState();
  }

  get id(): NodeId {
    return this.raft.id;
  }

  tick(): void {
    this.raft.tick();
  }

  /** Start an election now (used by tests and single-node bootstrap). */
  campaign(): void {
    this.raft.step(message({ type: 'hup', from: this.raft.id }));
  }

  /**
   * Feed a message received from a peer. Returns false when it was dropped because its sender is
   * not a member of this node's configuration (see Raft.acceptsFrom); `droppedFromNonMembers`
   * counts those.
   */
  step(m: Message): boolean {
    if (LOCAL_TYPES.has(m.type)) throw new RaftError('RAFT_STEP_LOCAL_MESSAGE', `cannot step local message ${m.type}`);
    if (!this.raft.acceptsFrom(m.from)) {
      this.droppedFromNonMembers++;
      return false;
    }
    if (RESPONSE_TYPES.has(m.type) && !this.raft.prs.has(m.from)) return true;
    this.raft.step(m);
    return true;
  }

  /** Append entries on the leader; throws NotLeaderError elsewhere. Returns the first index and term. */
  propose(datas: readonly Uint8Array[]): { index: number; term: number } {
    return this.raft.propose(datas);
  }

  proposeConfChange(cc: ConfChange): { index: number; term: number } {
    return this.raft.proposeConfChange(cc);
  }

  readIndex(context: string): void {
    this.raft.readIndex(context);
  }

  transferLeader(target: NodeId): void {
    this.raft.transferLeader(target);
  }

  reportUnreachable(id: NodeId): void {
    this.raft.step(message({ type: 'unreachable', from: id }));
  }

  reportSnapshot(id: NodeId, ok: boolean): void {
    this.raft.step(message({ type: 'snapStatus', from: id, reject: !ok }));
  }

  confState(): ConfState {
    return this.raft.confState();
  }

  hasReady(): boolean {
    const r = this.raft;
    const ss = r.softState();
    if (ss.lead !== this.#prevSoft.lead || ss.role !== this.#prevSoft.role) return true;
    const hs = r.hardState();
    if (!isEmptyHardState(hs) && !hardStateEqual(hs, this.#prevHard)) return true;
    const u = r.log.unstable;
    if (u.snapshotToWrite() || u.offsetInProgress < u.offset + u.entries.length) return true;
    if (r.msgs.length > 0 || r.readStates.length > 0) return true;
    return u.snapshot === undefined && r.applyUpTo() > r.log.applied;
  }

  /**
   * Take the next batch of work. Its entries and snapshot are marked as being written, so the
   * next Ready carries only newer ones: writes may overlap, but must complete in Ready order
   * (advanceStable). Call advanceApplied (or advance) before the next ready().
   */
  ready(): Ready {
    if (this.#applyPending) throw new InvariantViolation('ready() called before the previous Ready was applied');
    const r = this.raft;
    const u = r.log.unstable;
    const ss = r.softState();
    const hs = r.hardState();
    const softChanged = ss.lead !== this.#prevSoft.lead || ss.role !== this.#prevSoft.role;
    const hardChanged = !isEmptyHardState(hs) && !hardStateEqual(hs, this.#prevHard);
    const entries = u.entriesToWrite();
    const rd: Ready = {
      softState: softChanged ? ss : undefined,
      hardState: hardChanged ? hs : undefined,
      readStates: r.readStates,
      entries,
      snapshot: u.snapshotToWrite(),
      committedEntries: r.log.nextCommittedEnts(r.applyUpTo()),
      messages: r.msgs,
      mustSync: entries.length > 0 || hs.term !== this.#prevHard.term || hs.vote !== this.#prevHard.vote,
    };
    u.acceptInProgress();
    this.#prevSoft = ss;
    if (hardChanged) this.#prevHard = hs;
    r.msgs = [];
    r.readStates = [];
    this.#applyPending = true;
    return rd;
  }

  /**
   * The Ready's snapshot and committed entries were applied to the state machine; configuration
   * entries take effect here. Committed entries are durable on a majority, so they may be applied
   * before this node's own write of them completes.
   */
  advanceApplied(rd: Ready): void {
    const r = this.raft;
    if (rd.snapshot && rd.snapshot.meta.index > r.log.applied) r.log.appliedTo(rd.snapshot.meta.index);
    if (rd.committedEntries.length > 0) {
      for (const e of rd.committedEntries) {
        if (e.type === 'conf' && e.index > r.log.applied) r.applyConfChange(decodeConfChange(e.data));
      }
      r.reduceUncommittedSize(rd.committedEntries);
      const last = rd.committedEntries[rd.committedEntries.length - 1]!.index;
      if (r.cfg.injectBug === 'apply-uncommitted') r.log.applied = Math.max(r.log.applied, last);
      else r.log.appliedTo(last);
    }
    this.#applyPending = false;
  }

  /** The Ready's entries, hard state and snapshot are durable. Call once per Ready, in order. */
  advanceStable(rd: Ready): void {
    const r = this.raft;
    if (rd.snapshot) r.log.stableSnapTo(rd.snapshot.meta.index);
    if (rd.entries.length > 0) {
      const last = rd.entries[rd.entries.length - 1]!;
      r.log.stableTo(last.index, last.term);
      r.onStable(last.index, last.term);
    }
  }

  /** Both advanceApplied and advanceStable, for drivers that handle one Ready at a time. */
  advance(rd: Ready): void {
    this.advanceApplied(rd);
    this.advanceStable(rd);
  }

  status(): Status {
    const r = this.raft;
    const progress = new Map<NodeId, PeerProgress>();
    if (r.role === 'leader') {
      for (const id of [...r.prs.keys()].sort()) {
        const pr = r.prs.get(id)!;
        progress.set(id, {
          match: pr.match,
          next: pr.next,
          state: pr.state,
          recentActive: pr.recentActive,
          isLearner: pr.isLearner,
          inflight: pr.inflights.count(),
        });
      }
    }
    return {
      id: r.id,
      term: r.term,
      vote: r.vote,
      commit: r.log.committed,
      applied: r.log.applied,
      lastIndex: r.log.lastIndex(),
      lead: r.lead,
      role: r.role,
      conf: r.confState(),
      leadTransferee: r.leadTransferee,
      progress,
    };
  }
}
