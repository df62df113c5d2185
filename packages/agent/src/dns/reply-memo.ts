/**
 * Finished replies keyed by the query's bytes after its ID. A query byte-identical to an earlier
 * one (same flags, question spelling, EDNS size) gets the same reply apart from the ID, as long as
 * the answer it was built from is still current: same catalog index, and for an answer that
 * carries the clock (an SOA serial) no older than the answer cache allows. Skips parsing, the
 * answer-cache key and assembly on the hot path.
 *
 * A reply whose records are shuffled per query is kept as one reply per order of its records
 * (for up to `MAX_SHUFFLED` records: 4! = 24 orders), all at once for up to 3 records and each
 * the first time it is drawn for 4; a query draws one of them at random, so every order keeps the
 * chance a shuffle gives it. The orders built at once are kept back to back in one buffer.
 *
 * Bounded by entries and by bytes. A full memo drops its oldest entry only when that entry is no
 * longer current or was kept longer than the age bound ago; otherwise the new reply is not kept.
 * A client asking more names round-robin than fit then still hits on the names kept, where
 * dropping the oldest would make every question miss.
 */

import { setBounded } from './bounded-map.js';

/** Most records a shuffled reply may have to be kept (its orders are kept, up to 4! = 24). */
export const MAX_SHUFFLED = 4;

const FACTORIAL = [1, 1, 2, 6, 24];
/** Up to this many orders (3 records) are built when the reply is kept; more are built as drawn. */
const EAGER_ORDERS = 6;

interface Memo {
  index: number;
  /** When the reply stops being current (the clock in an SOA record), or Infinity. */
  until: number;
  /** When the memo kept it (the age bound for making room). */
  stored: number;
  /**
   * The reply, or every order of a shuffled reply back to back, `stride` bytes each: one buffer
   * per name rather than one per order (a memo of 10,000 shuffled names holds 10,000 buffers,
   * not 60,000).
   */
  packed: Buffer | undefined;
  stride: number;
  /** How many orders `packed` holds. */
  count: number;
  /** Orders built as they are drawn (4 records: 24), undefined until first drawn. */
  replies: (Buffer | undefined)[] | undefined;
  /** Builds the reply with order number `k` of a shuffled answer (lazily built orders only). */
  build: ((k: number) => Buffer) | undefined;
  bytes: number;
}

export class ReplyMemo {
  readonly #memos = new Map<string, Memo>();
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #maxAgeMs: number;
  #bytes = 0;
  /** The index and time of the last store, for the eviction rule. */
  #index = 0;
  #now = 0;

  constructor(options: { maxEntries?: number; maxBytes?: number; maxAgeMs?: number } = {}) {
    this.#maxEntries = options.maxEntries ?? 32_768;
    this.#maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
    this.#maxAgeMs = options.maxAgeMs ?? 1000;
  }

  /** The query's bytes after its ID (a TCP handler keeps its own memo: replies differ in size limits). */
  static key(query: Buffer): string {
    return query.toString('latin1', 2);
  }

  /** How many orders of `records` shuffled records are kept (0: such a reply is not kept). */
  static orders(records: number): number {
    return records <= MAX_SHUFFLED ? (FACTORIAL[records] as number) : 0;
  }

  /** A copy of the kept reply (of a random order, when shuffled) with the query's ID, or undefined. */
  get(key: string, query: Buffer, index: number, now: number): Buffer | undefined {
    const m = this.#memos.get(key);
    if (!m || m.index !== index || now >= m.until) return undefined;
    let out: Buffer;
    if (m.packed !== undefined) {
      const start = m.count > 1 ? Math.floor(Math.random() * m.count) * m.stride : 0;
      out = Buffer.allocUnsafe(m.stride);
      m.packed.copy(out, 0, start, start + m.stride);
    } else {
      const replies = m.replies as (Buffer | undefined)[];
      const k = Math.floor(Math.random() * replies.length);
      let reply = replies[k];
      if (reply === undefined) {
        reply = (m.build as (k: number) => Buffer)(k);
        if (this.#bytes + reply.length <= this.#maxBytes) {
          replies[k] = reply;
          m.bytes += reply.length;
          this.#bytes += reply.length;
        }
      }
      out = Buffer.allocUnsafe(reply.length);
      reply.copy(out);
    }
    out[0] = query[0]!;
    out[1] = query[1]!;
    return out;
  }

  /**
   * Keeps `reply` for queries byte-identical to the one keyed `key`: built at `at` from an answer
   * current at `index`; `clock` when the answer carries the time (kept for the age bound only).
   */
  set(key: string, index: number, at: number, clock: boolean, reply: Buffer): void {
    // A private copy: the caller sends (and may reuse) the reply it got.
    this.#store(key, index, at, clock, { packed: Buffer.from(reply), stride: reply.length, count: 1, replies: undefined, build: undefined }, reply.length);
  }

  /**
   * Keeps the replies of a shuffled answer with `orders` orders (`ReplyMemo.orders`), each
   * built by `build(k)` when first drawn. Returns whether they are kept.
   */
  setShuffled(key: string, index: number, at: number, clock: boolean, orders: number, build: (k: number) => Buffer): boolean {
    if (orders < 2) return false;
    if (orders > EAGER_ORDERS) return this.#store(key, index, at, clock, { packed: undefined, stride: 0, count: orders, replies: new Array<Buffer | undefined>(orders), build }, 0);
    // few orders (3 records: 6): all built now, so that every later query is a copy
    const replies = Array.from({ length: orders }, (_, k) => build(k));
    const bytes = replies.reduce((n, r) => n + r.length, 0);
    const stride = (replies[0] as Buffer).length;
    // the orders of one answer have the same length (the same records); kept apart if ever not
    if (replies.every((r) => r.length === stride)) {
      return this.#store(key, index, at, clock, { packed: Buffer.concat(replies, bytes), stride, count: orders, replies: undefined, build: undefined }, bytes);
    }
    return this.#store(key, index, at, clock, { packed: undefined, stride: 0, count: orders, replies, build: undefined }, bytes);
  }

  #store(key: string, index: number, at: number, clock: boolean, replies: Pick<Memo, 'packed' | 'stride' | 'count' | 'replies' | 'build'>, bytes: number): boolean {
    const now = Date.now();
    this.#index = index;
    this.#now = now;
    const previous = this.#memos.get(key);
    if (previous) this.#forget(key, previous);
    while (this.#bytes + bytes > this.#maxBytes) if (!this.#dropOldest()) return false;
    const memo: Memo = { index, until: clock ? at + this.#maxAgeMs : Number.POSITIVE_INFINITY, stored: now, ...replies, bytes };
    const kept = setBounded(this.#memos, key, memo, this.#maxEntries, (oldest) => {
      if (!this.#evictable(oldest)) return false;
      this.#bytes -= oldest.bytes;
      return true;
    });
    if (kept) this.#bytes += bytes;
    return kept;
  }

  /** An entry may make room when it is no longer current or has been kept for the age bound. */
  #evictable(m: Memo): boolean {
    return m.index !== this.#index || this.#now >= m.until || this.#now - m.stored >= this.#maxAgeMs;
  }

  #dropOldest(): boolean {
    const oldest = this.#memos.entries().next();
    if (oldest.done || !this.#evictable(oldest.value[1])) return false;
    this.#forget(oldest.value[0], oldest.value[1]);
    return true;
  }

  #forget(key: string, m: Memo): void {
    this.#memos.delete(key);
    this.#bytes -= m.bytes;
  }

  get size(): number {
    return this.#memos.size;
  }

  /** Bytes of replies kept. */
  get bytes(): number {
    return this.#bytes;
  }
}
