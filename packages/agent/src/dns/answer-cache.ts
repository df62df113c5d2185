/**
 * Encoded answers keyed by (lower-case name, type, class), valid while the catalog index they
 * were built at is current; one that carries the clock (an SOA serial) for at most `maxAgeMs`.
 * A full cache makes room by dropping its oldest entry only when that one is no longer current
 * or is older than `maxAgeMs` (see `ReplyMemo`).
 */

import type { EncodedAnswer } from './assemble.js';
import { setBounded } from './bounded-map.js';

interface Slot {
  index: number;
  at: number;
  entry: EncodedAnswer;
}

export class AnswerCache {
  readonly #slots = new Map<string, Slot>();
  readonly #maxEntries: number;
  readonly #maxAgeMs: number;
  hits = 0;
  misses = 0;

  constructor(options: { maxEntries?: number; maxAgeMs?: number } = {}) {
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#maxAgeMs = options.maxAgeMs ?? 1000;
  }

  static key(name: string, qtype: number, qclass: number): string {
    return `${name}|${qtype}|${qclass}`;
  }

  /** The answer with the time it was built, while it is current. */
  get(key: string, index: number, now: number): { entry: EncodedAnswer; at: number } | undefined {
    const slot = this.#slots.get(key);
    if (slot && slot.index === index && (!slot.entry.clock || now - slot.at < this.#maxAgeMs)) {
      this.hits++;
      return slot;
    }
    this.misses++;
    return undefined;
  }

  set(key: string, index: number, now: number, entry: EncodedAnswer): void {
    setBounded(this.#slots, key, { index, at: now, entry }, this.#maxEntries, (oldest) => oldest.index !== index || now - oldest.at >= this.#maxAgeMs);
  }

  get size(): number {
    return this.#slots.size;
  }

  clear(): void {
    this.#slots.clear();
  }
}
