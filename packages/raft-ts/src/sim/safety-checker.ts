import type { RaftLog } from '../core/raft-log.js';
import type { Entry, HardState, NodeId } from '../core/types.js';

const dec = new TextDecoder();

function fingerprint(e: Entry): string {
  return `${e.type}:${dec.decode(e.data)}`;
}

/**
 * Raft's safety properties, checked incrementally as the simulation runs:
 * - election safety: at most one leader per term;
 * - log matching: an (index, term) pair always names the same entry with the same predecessor term
 *   (by induction, identical prefixes), on every node, across crashes;
 * - leader completeness: a new leader's log holds every entry known committed;
 * - state machine safety: every node applies the same entry at an index, and only committed ones;
 * - no committed entry lost or changed; durable term and commit never go backwards.
 */
export class SafetyChecker {
  readonly violations: string[] = [];
  readonly #leaders = new Map<number, NodeId>();
  readonly #logEntries = new Map<string, { fp: string; prevTerm: number }>();
  readonly #committed = new Map<number, { term: number; fp: string }>();
  readonly #applied = new Map<number, { term: number; fp: string }>();
  readonly #durable = new Map<NodeId, HardState>();
  #maxCommitted = 0;
  now = 0;

  #fail(msg: string): void {
    if (this.violations.length < 50) this.violations.push(`t=${this.now.toFixed(1)}ms ${msg}`);
  }

  get maxCommitted(): number {
    return this.#maxCommitted;
  }

  onLeader(id: NodeId, term: number, log: RaftLog): void {
    const prev = this.#leaders.get(term);
    if (prev !== undefined && prev !== id) this.#fail(`election safety: ${prev} and ${id} are both leader in term ${term}`);
    this.#leaders.set(term, id);
    if (log.lastIndex() < this.#maxCommitted) {
      this.#fail(`leader completeness: leader ${id} (term ${term}) has last index ${log.lastIndex()} < committed ${this.#maxCommitted}`);
      return;
    }
    for (let i = Math.max(log.firstIndex(), 1); i <= this.#maxCommitted; i++) {
      const c = this.#committed.get(i);
      if (c && log.term(i) !== c.term) {
        this.#fail(`leader completeness: leader ${id} (term ${term}) has term ${log.term(i)} at ${i}, committed term ${c.term}`);
        return;
      }
    }
  }

  onPersist(id: NodeId, entries: readonly Entry[], termAt: (i: number) => number | undefined): void {
    for (const e of entries) {
      const prevTerm = termAt(e.index - 1) ?? -1;
      const key = `${e.index}:${e.term}`;
      const fp = fingerprint(e);
      const seen = this.#logEntries.get(key);
      if (!seen) this.#logEntries.set(key, { fp, prevTerm });
      else if (seen.fp !== fp || (seen.prevTerm !== prevTerm && seen.prevTerm >= 0 && prevTerm >= 0)) {
        this.#fail(`log matching: node ${id} holds a different entry or predecessor at index ${e.index} term ${e.term}`);
      }
    }
  }

  onHardState(id: NodeId, hs: HardState): void {
    const prev = this.#durable.get(id);
    if (prev) {
      if (hs.term < prev.term) this.#fail(`durable term of ${id} went back from ${prev.term} to ${hs.term}`);
      if (hs.commit < prev.commit) this.#fail(`durable commit of ${id} went back from ${prev.commit} to ${hs.commit}`);
      if (hs.term === prev.term && prev.vote !== '' && hs.vote !== prev.vote) {
        this.#fail(`node ${id} changed its vote in term ${hs.term} from ${prev.vote} to ${hs.vote}`);
      }
    }
    this.#durable.set(id, hs);
  }

  /** Record entries (from, to] as committed by `id`. */
  onCommit(id: NodeId, from: number, to: number, entryAt: (i: number) => Entry | undefined): void {
    for (let i = from + 1; i <= to; i++) {
      const e = entryAt(i);
      if (!e) continue;
      const fp = fingerprint(e);
      const c = this.#committed.get(i);
      if (!c) this.#committed.set(i, { term: e.term, fp });
      else if (c.term !== e.term || c.fp !== fp) {
        this.#fail(`committed entry changed: node ${id} committed term ${e.term} at ${i}, earlier committed term ${c.term}`);
      }
    }
    if (to > this.#maxCommitted) this.#maxCommitted = to;
  }

  onApply(id: NodeId, e: Entry, commitIndex: number, lastApplied: number): void {
    if (e.index !== lastApplied + 1) this.#fail(`node ${id} applied index ${e.index} after ${lastApplied}`);
    if (e.index > commitIndex) this.#fail(`state machine safety: node ${id} applied uncommitted index ${e.index} (commit ${commitIndex})`);
    const fp = fingerprint(e);
    const a = this.#applied.get(e.index);
    if (!a) this.#applied.set(e.index, { term: e.term, fp });
    else if (a.term !== e.term || a.fp !== fp) {
      this.#fail(`state machine safety: node ${id} applied term ${e.term} at ${e.index}, another node applied term ${a.term}`);
    }
    const c = this.#committed.get(e.index);
    if (c && (c.term !== e.term || c.fp !== fp)) {
      this.#fail(`state machine safety: node ${id} applied an entry at ${e.index} that differs from the committed one`);
    }
  }
}
