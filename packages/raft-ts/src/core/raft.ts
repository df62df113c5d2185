import { ConfChangeRejectedError, LeadershipTransferError, NotLeaderError, ProposalDroppedError } from '../errors.js';
import { resolveConfig, type RaftConfig, type ResolvedConfig } from './config.js';
import { Progress } from './progress.js';
import { committedIndex, isQuorum, voteResult, type VoteResult } from './quorum.js';
import { RaftLog } from './raft-log.js';
import { ReadOnly } from './read-only.js';
import type { Storage } from './storage.js';
import {
  NONE,
  compareIds,
  encodeConfChange,
  entrySize,
  isEmptyHardState,
  message,
  type ConfChange,
  type ConfState,
  type Entry,
  type EntryType,
  type HardState,
  type Message,
  type MessageType,
  type NodeId,
  type ReadState,
  type Role,
  type SoftState,
} from './types.js';

const EMPTY = new Uint8Array(0);
const TRANSFER_CONTEXT = 'transfer';

type CampaignKind = 'preElection' | 'election' | 'transfer';

/**
 * The Raft protocol as a deterministic state machine (after etcd-io/raft's raft.go). It performs no
 * I/O: inputs are tick(), step() and requests; outputs accumulate in `msgs` and `readStates` and in
 * the log's unstable part, and are collected by RawNode.ready().
 */
export class Raft {
  readonly id: NodeId;
  readonly cfg: ResolvedConfig;
  readonly log: RaftLog;

  term = 0;
  vote: NodeId = NONE;
  lead: NodeId = NONE;
  role: Role = 'follower';

  readonly prs = new Map<NodeId, Progress>();
  voters: NodeId[] = [];
  learners: NodeId[] = [];
  readonly votes = new Map<NodeId, boolean>();

  msgs: Message[] = [];
  readStates: ReadState[] = [];

  electionElapsed = 0;
  heartbeatElapsed = 0;
  randomizedElectionTimeout = 0;
  leadTransferee: NodeId = NONE;
  /** Index of the last configuration change proposed; no new one until it is applied. */
  pendingConfIndex = 0;
  uncommittedSize = 0;
  readOnly = new ReadOnly();
  pendingReadIndexMessages: Message[] = [];

  constructor(config: RaftConfig, storage: Storage) {
    this.cfg = resolveConfig(config);
    this.id = this.cfg.id;
    this.log = new RaftLog(storage, this.cfg.maxCommittedSizePerReady);
    const { hardState, conf } = storage.initialState();
    this.#applyConfState(conf);
    if (!isEmptyHardState(hardState)) {
      this.log.commitTo(hardState.commit);
      this.term = hardState.term;
      this.vote = hardState.vote;
    }
    // A snapshot holds only committed entries, so its index is committed even when the stored
    // commit index is lower (the driver does not write a hard state whose only change is the
    // commit index, so a snapshot taken later can pass it).
    const snapIndex = storage.snapshot().meta.index;
    if (snapIndex > this.log.committed) this.log.commitTo(snapIndex);
    if (this.cfg.applied !== undefined && this.cfg.applied > 0) this.log.appliedTo(this.cfg.applied);
    this.becomeFollower(this.term, NONE);
  }

  // ---- state accessors -------------------------------------------------------------------

  softState(): SoftState {
    return { lead: this.lead, role: this.role };
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }

  confState(): ConfState {
    return { voters: this.voters.slice(), learners: this.learners.slice() };
  }

  promotable(): boolean {
    return this.voters.includes(this.id);
  }

  isMember(id: NodeId): boolean {
    return this.voters.includes(id) || this.learners.includes(id);
  }

  /** A member of the applied configuration, or a server added by a configuration entry in the log. */
  #known(id: NodeId): boolean {
    return this.isMember(id) || this.log.namedServers.has(id);
  }

  /**
   * Whether a message from peer `from` may be stepped. A node inside a configuration hears only
   * the servers of it, applied or still pending in its log (a made-up id with a higher term must
   * not depose a leader). A node no configuration names (a fresh server waiting to be added) has
   * nothing to protect and listens to anyone, so whoever adds it can reach it; once its log or a
   * snapshot names it, the filter applies.
   */
  acceptsFrom(from: NodeId): boolean {
    if (this.cfg.injectBug === 'accept-non-members') return true;
    if (from === NONE || from === this.id) return false;
    return !this.#known(this.id) || this.#known(from);
  }

  /** Highest index the application may apply (the commit index, unless a bug is injected). */
  applyUpTo(): number {
    return this.cfg.injectBug === 'apply-uncommitted' ? this.log.lastIndex() : this.log.committed;
  }

  // ---- transitions -----------------------------------------------------------------------

  #reset(term: number): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = NONE;
    }
    this.lead = NONE;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.randomizedElectionTimeout = this.cfg.electionTick + this.cfg.prng.int(this.cfg.electionTick);
    this.leadTransferee = NONE;
    this.votes.clear();
    const last = this.log.lastIndex();
    for (const [id, pr] of this.prs) {
      const np = this.#newProgress(last + 1, pr.isLearner);
      if (id === this.id) np.match = last;
      this.prs.set(id, np);
    }
    this.pendingConfIndex = 0;
    this.uncommittedSize = 0;
    this.readOnly = new ReadOnly();
    this.pendingReadIndexMessages = [];
  }

  #newProgress(next: number, isLearner: boolean): Progress {
    return new Progress(next, isLearner, this.cfg.maxInflightMsgs, this.cfg.maxInflightBytes);
  }

  becomeFollower(term: number, lead: NodeId): void {
    this.#reset(term);
    this.lead = lead;
    this.role = 'follower';
  }

  becomeCandidate(): void {
    this.#reset(this.term + 1);
    this.vote = this.id;
    this.role = 'candidate';
  }

  becomePreCandidate(): void {
    this.votes.clear();
    this.lead = NONE;
    this.role = 'preCandidate';
  }

  becomeLeader(): void {
    this.#reset(this.term);
    this.lead = this.id;
    this.role = 'leader';
    const self = this.prs.get(this.id);
    if (self) {
      self.becomeReplicate();
      self.recentActive = true;
    }
    // No configuration change until this no-op (an entry of our own term) is applied.
    this.pendingConfIndex = this.#appendEntries([{ type: 'normal', data: EMPTY }]);
  }

  // ---- time ------------------------------------------------------------------------------

  tick(): void {
    if (this.role === 'leader') this.#tickHeartbeat();
    else this.#tickElection();
  }

  #tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.step(message({ type: 'hup', from: this.id }));
    }
  }

  #tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.cfg.electionTick) {
      this.electionElapsed = 0;
      if (this.cfg.checkQuorum) this.step(message({ type: 'checkQuorum', from: this.id }));
      if (this.role === 'leader' && this.leadTransferee !== NONE) this.#abortLeaderTransfer();
    }
    if (this.role !== 'leader') return;
    if (this.heartbeatElapsed >= this.cfg.heartbeatTick) {
      this.heartbeatElapsed = 0;
      this.step(message({ type: 'beat', from: this.id }));
    }
  }

  // ---- sending ---------------------------------------------------------------------------

  #send(fields: Partial<Message> & Pick<Message, 'type' | 'to'>): void {
    const t = fields.type;
    const term = t === 'vote' || t === 'preVote' || t === 'voteResp' || t === 'preVoteResp' ? fields.term! : this.term;
    this.msgs.push(message({ ...fields, from: this.id, term }));
  }

  #sortedPeers(): NodeId[] {
    return [...this.prs.keys()].filter((id) => id !== this.id).sort(compareIds);
  }

  sendAppend(to: NodeId): void {
    this.#maybeSendAppend(to, true);
  }

  #maybeSendAppend(to: NodeId, sendIfEmpty: boolean): boolean {
    const pr = this.prs.get(to);
    if (!pr || pr.isPaused()) return false;
    const prevIndex = pr.next - 1;
    const prevTerm = this.log.term(prevIndex);
    const ents = prevTerm === undefined ? undefined : this.log.entriesFrom(pr.next, this.cfg.maxSizePerMsg);
    if (prevTerm === undefined || ents === undefined) return this.#maybeSendSnapshot(to, pr);
    if (ents.length === 0 && !sendIfEmpty) return false;
    let bytes = 0;
    for (const e of ents) bytes += entrySize(e);
    this.#send({ type: 'app', to, index: prevIndex, logTerm: prevTerm, entries: ents, commit: this.log.committed });
    pr.sentEntries(ents.length, prevIndex + ents.length, bytes);
    return true;
  }

  #maybeSendSnapshot(to: NodeId, pr: Progress): boolean {
    if (!pr.recentActive) return false;
    const snapshot = this.log.snapshot();
    if (snapshot.meta.index === 0) return false;
    pr.becomeSnapshot(snapshot.meta.index);
    this.#send({ type: 'snap', to, snapshot });
    return true;
  }

  #sendHeartbeat(to: NodeId, context: string): void {
    const pr = this.prs.get(to);
    const commit = Math.min(pr ? pr.match : 0, this.log.committed);
    this.#send({ type: 'heartbeat', to, commit, context });
  }

  bcastAppend(): void {
    for (const id of this.#sortedPeers()) this.sendAppend(id);
  }

  #bcastHeartbeat(context: string = this.readOnly.lastPendingContext()): void {
    for (const id of this.#sortedPeers()) this.#sendHeartbeat(id, context);
  }

  // ---- proposals -------------------------------------------------------------------------

  #appendEntries(items: readonly { type: EntryType; data: Uint8Array }[]): number {
    let li = this.log.lastIndex();
    const ents: Entry[] = items.map((it) => ({ term: this.term, index: ++li, type: it.type, data: it.data }));
    // The leader's own acknowledgement comes in onStable(), once the entries are durable, so the
    // commit index never covers entries that exist only in this node's memory.
    const last = this.log.append(ents);
    if (this.cfg.injectBug === 'leader-acks-unwritten' && this.role === 'leader') this.prs.get(this.id)?.maybeUpdate(last);
    return last;
  }

  /** Entries up to (index, term) are durable (RawNode.advance calls this). */
  onStable(index: number, term: number): void {
    if (this.role !== 'leader' || this.log.term(index) !== term) return;
    const self = this.prs.get(this.id);
    if (self?.maybeUpdate(index) && this.#maybeCommit()) this.bcastAppend();
  }

  #checkCanPropose(): void {
    if (this.role !== 'leader') throw new NotLeaderError(this.lead);
    if (this.leadTransferee !== NONE) throw new ProposalDroppedError('leadership transfer in progress');
    if (!this.prs.has(this.id)) throw new ProposalDroppedError('leader is not a member of the configuration');
  }

  /** Append application entries; returns the index of the first one and the term. */
  propose(datas: readonly Uint8Array[]): { index: number; term: number } {
    this.#checkCanPropose();
    let size = 0;
    for (const d of datas) size += d.byteLength;
    if (this.uncommittedSize > 0 && this.uncommittedSize + size > this.cfg.maxUncommittedEntriesSize) {
      throw new ProposalDroppedError('too many uncommitted bytes');
    }
    this.uncommittedSize += size;
    const first = this.log.lastIndex() + 1;
    this.#appendEntries(datas.map((data) => ({ type: 'normal', data })));
    this.bcastAppend();
    return { index: first, term: this.term };
  }

  /**
   * Propose a single-server configuration change. Rejected while another change is not yet applied,
   * and until the leader applied an entry of its own term (pendingConfIndex starts at the no-op).
   */
  proposeConfChange(cc: ConfChange): { index: number; term: number } {
    this.#checkCanPropose();
    if (cc.changes.length !== 1) throw new ConfChangeRejectedError('exactly one change per proposal');
    if (this.pendingConfIndex > this.log.applied) {
      throw new ConfChangeRejectedError('a previous change is not applied yet (or no entry of this term is applied)');
    }
    const ch = cc.changes[0]!;
    if (!ch.nodeId) throw new ConfChangeRejectedError('empty node id');
    const isVoter = this.voters.includes(ch.nodeId);
    const isLearner = this.learners.includes(ch.nodeId);
    if (ch.type === 'addVoter' && isVoter) throw new ConfChangeRejectedError(`${ch.nodeId} is already a voter`);
    if (ch.type === 'addLearner' && isLearner) throw new ConfChangeRejectedError(`${ch.nodeId} is already a learner`);
    if (ch.type === 'removeNode') {
      if (!isVoter && !isLearner) throw new ConfChangeRejectedError(`${ch.nodeId} is not a member`);
      if (isVoter && this.voters.length === 1) throw new ConfChangeRejectedError('cannot remove the last voter');
    }
    const index = this.#appendEntries([{ type: 'conf', data: encodeConfChange(cc) }]);
    this.pendingConfIndex = index;
    this.bcastAppend();
    return { index, term: this.term };
  }

  /** Called when a committed configuration entry is applied (RawNode.advance does this). */
  applyConfChange(cc: ConfChange): void {
    const added: NodeId[] = [];
    for (const ch of cc.changes) {
      const id = ch.nodeId;
      if (ch.type === 'removeNode') {
        this.prs.delete(id);
        this.voters = this.voters.filter((v) => v !== id);
        this.learners = this.learners.filter((v) => v !== id);
        continue;
      }
      const learner = ch.type === 'addLearner';
      let pr = this.prs.get(id);
      if (!pr) {
        pr = this.#newProgress(this.log.lastIndex() + 1, learner);
        pr.recentActive = true;
        if (id === this.id) pr.match = this.log.lastIndex();
        else added.push(id);
        this.prs.set(id, pr);
      }
      pr.isLearner = learner;
      this.voters = this.voters.filter((v) => v !== id);
      this.learners = this.learners.filter((v) => v !== id);
      (learner ? this.learners : this.voters).push(id);
    }
    this.voters.sort(compareIds);
    this.learners.sort(compareIds);
    if (this.role !== 'leader') return;
    if (!this.voters.includes(this.id)) {
      this.becomeFollower(this.term, NONE);
      return;
    }
    if (this.leadTransferee !== NONE && !this.voters.includes(this.leadTransferee)) this.#abortLeaderTransfer();
    if (this.#maybeCommit()) this.bcastAppend();
    else for (const id of this.#sortedPeers()) this.#maybeSendAppend(id, false);
    // Start probing new members at once rather than at the next heartbeat.
    for (const id of added) this.#maybeSendAppend(id, true);
  }

  #applyConfState(cs: ConfState): void {
    this.prs.clear();
    const next = this.log.lastIndex() + 1;
    for (const id of cs.voters) this.prs.set(id, this.#newProgress(next, false));
    for (const id of cs.learners) this.prs.set(id, this.#newProgress(next, true));
    this.voters = [...cs.voters].sort(compareIds);
    this.learners = [...cs.learners].sort(compareIds);
    const self = this.prs.get(this.id);
    if (self) self.match = next - 1;
  }

  reduceUncommittedSize(ents: readonly Entry[]): void {
    if (this.role !== 'leader') return;
    let s = 0;
    for (const e of ents) s += e.data.byteLength;
    this.uncommittedSize = Math.max(0, this.uncommittedSize - s);
  }

  #maybeCommit(): boolean {
    const mci = this.cfg.injectBug === 'commit-without-quorum' ? this.log.lastIndex() : committedIndex(this.voters, (id) => this.prs.get(id)?.match ?? 0);
    if (!this.log.maybeCommit(mci, this.term)) return false;
    if (this.pendingReadIndexMessages.length > 0 && this.#committedEntryInCurrentTerm()) {
      const held = this.pendingReadIndexMessages;
      this.pendingReadIndexMessages = [];
      for (const m of held) this.#sendReadIndexResponse(m);
    }
    return true;
  }

  #committedEntryInCurrentTerm(): boolean {
    return this.log.zeroTermOnOutOfBounds(this.log.committed) === this.term;
  }

  // ---- reads -----------------------------------------------------------------------------

  /** Request a linearizable read point tagged `context` (unique per request on this node). */
  readIndex(context: string): void {
    if (this.cfg.injectBug === 'read-without-readindex') {
      this.readStates.push({ index: this.log.committed, context });
      return;
    }
    const req = message({ type: 'readIndex', from: this.id, context });
    if (this.role !== 'leader') {
      if (this.lead === NONE) throw new NotLeaderError(NONE);
      this.#send({ type: 'readIndex', to: this.lead, context });
      return;
    }
    this.#handleReadIndex(req);
  }

  #handleReadIndex(m: Message): void {
    if (this.voters.length === 1 && this.voters[0] === this.id) {
      this.#respondReadIndex(m, this.log.committed);
      return;
    }
    if (!this.#committedEntryInCurrentTerm()) {
      this.pendingReadIndexMessages.push(m);
      return;
    }
    this.#sendReadIndexResponse(m);
  }

  #sendReadIndexResponse(m: Message): void {
    if (this.cfg.leaseRead) {
      this.#respondReadIndex(m, this.log.committed);
      return;
    }
    this.readOnly.addRequest(this.log.committed, m);
    this.readOnly.recvAck(this.id, m.context);
    this.#bcastHeartbeat(m.context);
  }

  #respondReadIndex(m: Message, index: number): void {
    if (m.from === NONE || m.from === this.id) this.readStates.push({ index, context: m.context });
    else this.#send({ type: 'readIndexResp', to: m.from, index, context: m.context });
  }

  // ---- leadership transfer ---------------------------------------------------------------

  transferLeader(target: NodeId): void {
    if (this.role !== 'leader') throw new NotLeaderError(this.lead);
    if (!this.voters.includes(target)) throw new LeadershipTransferError(`${target} is not a voter`);
    if (target === this.id) return;
    if (this.leadTransferee !== NONE) {
      if (this.leadTransferee === target) return;
      this.#abortLeaderTransfer();
    }
    this.electionElapsed = 0;
    this.leadTransferee = target;
    const pr = this.prs.get(target)!;
    if (pr.match === this.log.lastIndex()) this.#send({ type: 'timeoutNow', to: target });
    else this.sendAppend(target);
  }

  #abortLeaderTransfer(): void {
    this.leadTransferee = NONE;
  }

  // ---- elections -------------------------------------------------------------------------

  #hup(kind: CampaignKind): void {
    if (this.role === 'leader') return;
    if (!this.promotable()) return;
    if (this.#hasUnappliedConfChanges()) return;
    this.#campaign(kind);
  }

  #hasUnappliedConfChanges(): boolean {
    if (this.log.applied >= this.log.committed) return false;
    const lo = Math.max(this.log.applied + 1, this.log.firstIndex());
    const ents = this.log.slice(lo, this.log.committed + 1, Number.MAX_SAFE_INTEGER);
    return ents.some((e) => e.type === 'conf');
  }

  #campaign(kind: CampaignKind): void {
    let voteMsg: MessageType;
    let term: number;
    if (kind === 'preElection') {
      this.becomePreCandidate();
      voteMsg = 'preVote';
      term = this.term + 1;
    } else {
      this.becomeCandidate();
      voteMsg = 'vote';
      term = this.term;
    }
    const respType: MessageType = voteMsg === 'vote' ? 'voteResp' : 'preVoteResp';
    if (this.#poll(this.id, respType, true) === 'won') {
      if (kind === 'preElection') this.#campaign('election');
      else this.becomeLeader();
      return;
    }
    for (const id of this.voters) {
      if (id === this.id) continue;
      this.#send({
        type: voteMsg,
        to: id,
        term,
        index: this.log.lastIndex(),
        logTerm: this.log.lastTerm(),
        context: kind === 'transfer' ? TRANSFER_CONTEXT : '',
      });
    }
  }

  #poll(id: NodeId, _t: MessageType, granted: boolean): VoteResult {
    if (!this.votes.has(id)) this.votes.set(id, granted);
    return voteResult(this.voters, this.votes);
  }

  // ---- step ------------------------------------------------------------------------------

  step(m: Message): void {
    if (m.term === 0) {
      // local message
    } else if (m.term > this.term) {
      if (m.type === 'vote' || m.type === 'preVote') {
        const force = m.context === TRANSFER_CONTEXT;
        const inLease = this.cfg.checkQuorum && this.lead !== NONE && this.electionElapsed < this.cfg.electionTick;
        if (!force && inLease) return;
      }
      if (m.type === 'preVote') {
        // Never change our term in response to a pre-vote.
      } else if (m.type === 'preVoteResp' && !m.reject) {
        // A granted pre-vote carries the future term; it is counted, not obeyed.
      } else if (m.type === 'app' || m.type === 'heartbeat' || m.type === 'snap') {
        this.becomeFollower(m.term, m.from);
      } else {
        this.becomeFollower(m.term, NONE);
      }
    } else if (m.term < this.term) {
      if ((this.cfg.checkQuorum || this.cfg.preVote) && (m.type === 'heartbeat' || m.type === 'app')) {
        // Tell a stale leader about the newer term so it steps down (it may be cut off by pre-vote).
        this.#send({ type: 'appResp', to: m.from });
      } else if (m.type === 'preVote') {
        this.#send({ type: 'preVoteResp', to: m.from, term: this.term, reject: true });
      }
      return;
    }

    switch (m.type) {
      case 'hup':
        this.#hup(this.cfg.preVote ? 'preElection' : 'election');
        return;
      case 'vote':
      case 'preVote': {
        const canVote =
          this.vote === m.from ||
          (this.vote === NONE && this.lead === NONE) ||
          (m.type === 'preVote' && m.term > this.term) ||
          (this.cfg.injectBug === 'vote-twice-in-term' && m.type === 'vote');
        const resp: MessageType = m.type === 'vote' ? 'voteResp' : 'preVoteResp';
        if (canVote && this.log.isUpToDate(m.index, m.logTerm)) {
          this.#send({ type: resp, to: m.from, term: m.term });
          if (m.type === 'vote') {
            this.electionElapsed = 0;
            this.vote = m.from;
          }
        } else {
          this.#send({ type: resp, to: m.from, term: this.term, reject: true });
        }
        return;
      }
    }
    switch (this.role) {
      case 'leader':
        this.#stepLeader(m);
        return;
      case 'candidate':
      case 'preCandidate':
        this.#stepCandidate(m);
        return;
      case 'follower':
        this.#stepFollower(m);
        return;
    }
  }

  #stepLeader(m: Message): void {
    switch (m.type) {
      case 'beat':
        this.#bcastHeartbeat();
        return;
      case 'checkQuorum':
        if (!isQuorum(this.voters, (id) => id === this.id || this.prs.get(id)?.recentActive === true)) {
          this.becomeFollower(this.term, NONE);
        }
        for (const [id, pr] of this.prs) if (id !== this.id) pr.recentActive = false;
        return;
      case 'readIndex':
        this.#handleReadIndex(m);
        return;
    }
    const pr = this.prs.get(m.from);
    if (!pr) return;
    switch (m.type) {
      case 'appResp': {
        pr.recentActive = true;
        if (m.reject) {
          let nextProbe = m.rejectHint;
          if (m.logTerm > 0) nextProbe = this.log.findConflictByTerm(m.rejectHint, m.logTerm);
          if (pr.maybeDecrTo(m.index, nextProbe)) {
            if (pr.state === 'replicate') pr.becomeProbe();
            this.sendAppend(m.from);
          }
          return;
        }
        const oldPaused = pr.isPaused();
        if (pr.maybeUpdate(m.index) || (pr.match === m.index && pr.state === 'probe')) {
          if (pr.state === 'probe') pr.becomeReplicate();
          else if (pr.state === 'snapshot' && pr.match + 1 >= this.log.firstIndex()) {
            pr.becomeProbe();
            pr.becomeReplicate();
          } else if (pr.state === 'replicate') pr.inflights.freeLE(m.index);
          if (this.#maybeCommit()) this.bcastAppend();
          else if (oldPaused) this.sendAppend(m.from);
          while (this.#maybeSendAppend(m.from, false)) {
            // drain the window
          }
          if (m.from === this.leadTransferee && pr.match === this.log.lastIndex()) {
            this.#send({ type: 'timeoutNow', to: m.from });
          }
        }
        return;
      }
      case 'heartbeatResp': {
        pr.recentActive = true;
        pr.msgAppFlowPaused = false;
        if (pr.match < this.log.lastIndex() || pr.state === 'probe') this.sendAppend(m.from);
        if (m.context === '' || this.cfg.leaseRead) return;
        const acks = this.readOnly.recvAck(m.from, m.context);
        if (!acks || !isQuorum(this.voters, (id) => acks.has(id))) return;
        for (const rs of this.readOnly.advance(m.context)) this.#respondReadIndex(rs.req, rs.index);
        return;
      }
      case 'snapStatus':
        if (pr.state !== 'snapshot') return;
        if (m.reject) {
          pr.pendingSnapshot = 0;
          pr.becomeProbe();
        } else {
          pr.becomeProbe();
          pr.msgAppFlowPaused = true;
        }
        return;
      case 'unreachable':
        if (pr.state === 'replicate') pr.becomeProbe();
        return;
      default:
        return;
    }
  }

  #stepCandidate(m: Message): void {
    const myResp: MessageType = this.role === 'preCandidate' ? 'preVoteResp' : 'voteResp';
    switch (m.type) {
      case 'app':
        this.becomeFollower(m.term, m.from);
        this.#handleAppend(m);
        return;
      case 'heartbeat':
        this.becomeFollower(m.term, m.from);
        this.#handleHeartbeat(m);
        return;
      case 'snap':
        this.becomeFollower(m.term, m.from);
        this.#handleSnapshot(m);
        return;
      default:
        if (m.type !== myResp) return;
        switch (this.#poll(m.from, m.type, !m.reject)) {
          case 'won':
            if (this.role === 'preCandidate') this.#campaign('election');
            else {
              this.becomeLeader();
              this.bcastAppend();
            }
            return;
          case 'lost':
            this.becomeFollower(this.term, NONE);
            return;
          case 'pending':
            return;
        }
    }
  }

  #stepFollower(m: Message): void {
    switch (m.type) {
      case 'app':
        this.electionElapsed = 0;
        this.lead = m.from;
        this.#handleAppend(m);
        return;
      case 'heartbeat':
        this.electionElapsed = 0;
        this.lead = m.from;
        this.#handleHeartbeat(m);
        return;
      case 'snap':
        this.electionElapsed = 0;
        this.lead = m.from;
        this.#handleSnapshot(m);
        return;
      case 'timeoutNow':
        this.#hup('transfer');
        return;
      case 'readIndexResp':
        this.readStates.push({ index: m.index, context: m.context });
        return;
      default:
        return;
    }
  }

  #handleAppend(m: Message): void {
    if (m.index < this.log.committed) {
      this.#send({ type: 'appResp', to: m.from, index: this.log.committed });
      return;
    }
    const lastNew = this.log.maybeAppend(m.index, m.logTerm, m.commit, m.entries);
    if (lastNew !== undefined) {
      this.#send({ type: 'appResp', to: m.from, index: lastNew });
      return;
    }
    let hint = Math.min(m.index, this.log.lastIndex());
    hint = this.log.findConflictByTerm(hint, m.logTerm);
    const hintTerm = this.log.zeroTermOnOutOfBounds(hint);
    this.#send({ type: 'appResp', to: m.from, index: m.index, reject: true, rejectHint: hint, logTerm: hintTerm });
  }

  #handleHeartbeat(m: Message): void {
    this.log.commitTo(m.commit);
    this.#send({ type: 'heartbeatResp', to: m.from, context: m.context });
  }

  #handleSnapshot(m: Message): void {
    const s = m.snapshot;
    if (s && this.#restore(s)) {
      this.#send({ type: 'appResp', to: m.from, index: this.log.lastIndex() });
    } else {
      this.#send({ type: 'appResp', to: m.from, index: this.log.committed });
    }
  }

  #restore(s: NonNullable<Message['snapshot']>): boolean {
    if (s.meta.index <= this.log.committed) return false;
    if (this.log.matchTerm(s.meta.index, s.meta.term)) {
      this.log.commitTo(s.meta.index);
      return false;
    }
    this.log.restore(s);
    this.#applyConfState(s.meta.conf);
    return true;
  }
}
