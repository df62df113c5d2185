/**
 * Encoded answers keyed by (lower-case name, type, class), valid while the catalog index they
 * were built at is current and for at most `maxAgeMs` (the SOA serial is the clock).
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
    if (slot && slot.index === index && now - slot.at < this.#maxAgeMs) {
      this.hits++;
      return slot;
    }
    this.misses++;
    return undefined;
  }

  set(key: string, index: number, now: number, entry: EncodedAnswer): void {
    setBounded(this.#slots, key, { index, at: now, entry }, this.#maxEntries);
  }

  get size(): number {
    return this.#slots.size;
  }

  clear(): void {
    this.#slots.clear();
  }
}
