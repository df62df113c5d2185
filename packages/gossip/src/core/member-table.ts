import type { Prng } from '@concord/simkit';
import { shuffle } from '@concord/simkit';
import type { MemberStatus, Tags } from './messages.js';

/** One member as the local node tracks it. */
export interface MemberState {
  readonly name: string;
  addr: string;
  port: number;
  tags: Tags;
  status: MemberStatus;
  inc: number;
  changedAt: number;
  /**
   * Force-left with prune: hidden from `members()` at once, but kept as a `left` tombstone until
   * reaped, so a stale `alive` about it cannot bring it back (a restart refutes with a newer
   * incarnation and clears it).
   */
  pruned?: boolean;
}

/**
 * Every member the local node knows, the local one included: the live and failed counts the
 * timing formulas use, the shuffled round-robin probe order, and random picks for gossip,
 * indirect probes and push-pull.
 */
export class MemberTable {
  readonly #self: string;
  readonly #rng: Prng;
  readonly #members = new Map<string, MemberState>();
  #order: string[] = [];
  #probeIndex = 0;
  #liveCount = 1;
  #failedCount = 0;

  constructor(self: MemberState, rng: Prng) {
    this.#self = self.name;
    this.#rng = rng;
    this.#members.set(self.name, self);
    this.#order.push(self.name);
  }

  /** Alive and suspect members, the local one included: the `N` of the timing formulas. */
  get liveCount(): number {
    return this.#liveCount;
  }

  get failedCount(): number {
    return this.#failedCount;
  }

  get(name: string): MemberState | undefined {
    return this.#members.get(name);
  }

  has(name: string): boolean {
    return this.#members.has(name);
  }

  values(): IterableIterator<MemberState> {
    return this.#members.values();
  }

  /** The local member. */
  self(): MemberState {
    const self = this.#members.get(this.#self);
    if (self === undefined) throw new Error('local member missing from its own table');
    return self;
  }

  /** Add a member at a random place in the probe order, so it is probed soon but not first by all. */
  insert(m: MemberState): void {
    this.#members.set(m.name, m);
    if (m.status === 'alive' || m.status === 'suspect') this.#liveCount += 1;
    else if (m.status === 'failed') this.#failedCount += 1;
    const pos = this.#rng.int(this.#order.length + 1);
    this.#order.push(m.name);
    const last = this.#order.length - 1;
    const tmp = this.#order[pos] as string;
    this.#order[pos] = this.#order[last] as string;
    this.#order[last] = tmp;
  }

  /** Forget a failed or left member (reaping); its name leaves the probe order at the next shuffle. */
  remove(m: MemberState): void {
    this.#members.delete(m.name);
    if (m.status === 'failed') this.#failedCount -= 1;
  }

  setStatus(m: MemberState, status: MemberStatus, now: number): void {
    const wasLive = m.status === 'alive' || m.status === 'suspect';
    const isLive = status === 'alive' || status === 'suspect';
    if (wasLive && !isLive) this.#liveCount -= 1;
    else if (!wasLive && isLive) this.#liveCount += 1;
    if (m.status === 'failed') this.#failedCount -= 1;
    if (status === 'failed') this.#failedCount += 1;
    m.status = status;
    m.changedAt = now;
  }

  /** The next member to probe: round-robin over a shuffled order, skipping failed and left ones. */
  nextProbeTarget(): MemberState | undefined {
    for (let checked = 0; checked <= this.#order.length; checked++) {
      if (this.#probeIndex >= this.#order.length) {
        this.#order = [...new Set(this.#order)].filter((n) => this.#members.has(n));
        shuffle(this.#order, this.#rng);
        this.#probeIndex = 0;
      }
      const name = this.#order[this.#probeIndex++];
      if (name === undefined || name === this.#self) continue;
      const m = this.#members.get(name);
      if (m === undefined || m.status === 'failed' || m.status === 'left') continue;
      return m;
    }
    return undefined;
  }

  /** Up to `k` distinct other members that `accept` takes, picked at random. */
  randomMembers(k: number, accept: (m: MemberState) => boolean): MemberState[] {
    const out: MemberState[] = [];
    const n = this.#order.length;
    for (let i = 0; i < 3 * n && out.length < k; i++) {
      const name = this.#order[this.#rng.int(n)];
      if (name === undefined || name === this.#self) continue;
      const m = this.#members.get(name);
      if (m === undefined || !accept(m) || out.includes(m)) continue;
      out.push(m);
    }
    return out;
  }
}
