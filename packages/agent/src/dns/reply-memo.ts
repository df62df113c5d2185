/**
 * Finished replies keyed by the query's bytes after its ID. A query byte-identical to an earlier
 * one (same flags, question spelling, EDNS size) gets the same reply apart from the ID, as long as
 * the answer it was built from is still current: same catalog index, and no older than the answer
 * cache allows. Skips parsing, the answer-cache key and assembly on the hot path. Replies whose
 * record order is shuffled per query are never kept.
 */

import { setBounded } from './bounded-map.js';

interface Memo {
  index: number;
  /** When the answer behind the reply was built (the answer cache's clock). */
  at: number;
  reply: Buffer;
}

export class ReplyMemo {
  readonly #memos = new Map<string, Memo>();
  readonly #maxEntries: number;
  readonly #maxAgeMs: number;

  constructor(options: { maxEntries?: number; maxAgeMs?: number } = {}) {
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#maxAgeMs = options.maxAgeMs ?? 1000;
  }

  /** The query's bytes after its ID (a TCP handler keeps its own memo: replies differ in size limits). */
  static key(query: Buffer): string {
    return query.toString('latin1', 2);
  }

  /** A copy of the kept reply with the query's ID, or undefined. */
  get(key: string, query: Buffer, index: number, now: number): Buffer | undefined {
    const m = this.#memos.get(key);
    if (!m || m.index !== index || now - m.at >= this.#maxAgeMs) return undefined;
    const out = Buffer.allocUnsafe(m.reply.length);
    m.reply.copy(out);
    out[0] = query[0]!;
    out[1] = query[1]!;
    return out;
  }

  set(key: string, index: number, at: number, reply: Buffer): void {
    // A private copy: the caller sends (and may reuse) the reply it got.
    setBounded(this.#memos, key, { index, at, reply: Buffer.from(reply) }, this.#maxEntries);
  }

  get size(): number {
    return this.#memos.size;
  }
}
