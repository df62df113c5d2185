import type { BroadcastMessage, PacketMessage } from './messages.js';
import { encodedSize } from './messages.js';
import { retransmitLimit } from './timing.js';

interface QueuedBroadcast<M> {
  /** Invalidation key: a newer broadcast with the same key replaces this one. */
  readonly key: string;
  readonly msg: M;
  readonly size: number;
  readonly id: number;
  transmits: number;
}

/**
 * memberlist's `TransmitLimitedQueue`: broadcasts are handed out least-sent first,
 * then largest first (to pack packets well), then newest first, and dropped after
 * `RetransmitMult × ceil(log10(N+1))` transmits. Queuing a broadcast about a member
 * invalidates the older one about the same member.
 */
export class BroadcastQueue<M extends PacketMessage = BroadcastMessage> {
  readonly #retransmitMult: number;
  readonly #maxDepth: number;
  readonly #byKey = new Map<string, QueuedBroadcast<M>>();
  #items: QueuedBroadcast<M>[] = [];
  #sorted = true;
  #nextId = 1;

  constructor(retransmitMult: number, maxDepth = 4096) {
    this.#retransmitMult = retransmitMult;
    this.#maxDepth = maxDepth;
  }

  get length(): number {
    return this.#items.length;
  }

  queue(key: string, msg: M): void {
    const old = this.#byKey.get(key);
    if (old !== undefined) {
      const i = this.#items.indexOf(old);
      if (i >= 0) this.#items.splice(i, 1);
    }
    const item: QueuedBroadcast<M> = { key, msg, size: encodedSize(msg), id: this.#nextId++, transmits: 0 };
    this.#byKey.set(key, item);
    this.#items.push(item);
    this.#sorted = false;
    if (this.#items.length > this.#maxDepth) {
      this.#sort();
      // Drop from the tail: the most transmitted, then the smallest and oldest.
      for (const dropped of this.#items.splice(this.#maxDepth)) this.#byKey.delete(dropped.key);
    }
  }

  /**
   * Up to `limit` bytes of broadcasts, each costing `overhead` extra bytes of framing.
   * `n` is the estimated cluster size for the transmit limit.
   */
  get(overhead: number, limit: number, n: number): M[] {
    if (this.#items.length === 0) return [];
    this.#sort();
    const maxTransmits = retransmitLimit(this.#retransmitMult, n);
    const out: M[] = [];
    let used = 0;
    const keep: QueuedBroadcast<M>[] = [];
    let changed = false;
    for (const item of this.#items) {
      const cost = item.size + overhead;
      if (used + cost > limit) {
        keep.push(item);
        continue;
      }
      used += cost;
      out.push(item.msg);
      item.transmits += 1;
      changed = true;
      if (item.transmits >= maxTransmits) this.#byKey.delete(item.key);
      else keep.push(item);
    }
    if (changed) {
      this.#items = keep;
      this.#sorted = false;
    }
    return out;
  }

  /** Snapshot of the queue in hand-out order (for tests and metrics). */
  entries(): Array<{ key: string; msg: M; transmits: number }> {
    this.#sort();
    return this.#items.map((i) => ({ key: i.key, msg: i.msg, transmits: i.transmits }));
  }

  clear(): void {
    this.#items = [];
    this.#byKey.clear();
  }

  #sort(): void {
    if (this.#sorted) return;
    this.#items.sort((a, b) => a.transmits - b.transmits || b.size - a.size || b.id - a.id);
    this.#sorted = true;
  }
}
