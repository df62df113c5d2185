import type { KvEntry } from './types.js';

/** Keys per chunk before it splits in two: inserting moves at most this many references. */
const CHUNK_MAX = 512;

/**
 * Items sorted by a string key, with prefix range scans. Items live in sorted chunks of at most
 * CHUNK_MAX, themselves in order, so that adding or deleting one costs two binary searches and a
 * move of at most CHUNK_MAX references (a single sorted array moves half the set on average: at a
 * million keys, milliseconds per write). One item per key: adding one whose key is there replaces it.
 */
export class SortedItems<T> {
  #chunks: T[][] = [];
  #size = 0;
  readonly #keyOf: (item: T) => string;

  constructor(keyOf: (item: T) => string) {
    this.#keyOf = keyOf;
  }

  /**
   * Fills an empty set at once from items in strictly ascending key order, in full chunks of half
   * the split size; false (and the set left empty) when they are not in that order.
   */
  protected fillSorted(items: readonly T[]): boolean {
    const keyOf = this.#keyOf;
    for (let i = 1; i < items.length; i++) if (!(keyOf(items[i - 1] as T) < keyOf(items[i] as T))) return false;
    const per = CHUNK_MAX >>> 1;
    for (let i = 0; i < items.length; i += per) this.#chunks.push(items.slice(i, i + per));
    this.#size = items.length;
    return true;
  }

  get size(): number {
    return this.#size;
  }

  /** The chunk that holds `key` or where it belongs: the first whose last key is >= `key`. */
  #chunkFor(key: string): number {
    const chunks = this.#chunks;
    const keyOf = this.#keyOf;
    let lo = 0;
    let hi = chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = chunks[mid] as T[];
      if (keyOf(c[c.length - 1] as T) < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Position of the first item whose key is >= `key` in a sorted chunk. */
  #lowerBound(chunk: readonly T[], key: string): number {
    const keyOf = this.#keyOf;
    let lo = 0;
    let hi = chunk.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keyOf(chunk[mid] as T) < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Adds `item`, or replaces the one with its key. */
  add(item: T): void {
    const chunks = this.#chunks;
    if (chunks.length === 0) {
      chunks.push([item]);
      this.#size = 1;
      return;
    }
    const key = this.#keyOf(item);
    let ci = this.#chunkFor(key);
    // past every key: it goes at the end of the last chunk
    if (ci === chunks.length) ci--;
    const chunk = chunks[ci] as T[];
    const at = this.#lowerBound(chunk, key);
    if (at < chunk.length && this.#keyOf(chunk[at] as T) === key) {
      chunk[at] = item;
      return;
    }
    chunk.splice(at, 0, item);
    this.#size++;
    if (chunk.length > CHUNK_MAX) chunks.splice(ci + 1, 0, chunk.splice(chunk.length >>> 1));
  }

  delete(key: string): void {
    const ci = this.#chunkFor(key);
    const chunk = this.#chunks[ci];
    if (!chunk) return;
    const at = this.#lowerBound(chunk, key);
    if (at >= chunk.length || this.#keyOf(chunk[at] as T) !== key) return;
    chunk.splice(at, 1);
    this.#size--;
    if (chunk.length === 0) this.#chunks.splice(ci, 1);
  }

  /** Items whose key starts with `prefix`, in order. */
  *withPrefix(prefix: string): IterableIterator<T> {
    const chunks = this.#chunks;
    const keyOf = this.#keyOf;
    let ci = prefix === '' ? 0 : this.#chunkFor(prefix);
    if (ci >= chunks.length) return;
    let i = prefix === '' ? 0 : this.#lowerBound(chunks[ci] as T[], prefix);
    for (; ci < chunks.length; ci++, i = 0) {
      const chunk = chunks[ci] as T[];
      for (; i < chunk.length; i++) {
        const item = chunk[i] as T;
        if (!keyOf(item).startsWith(prefix)) return;
        yield item;
      }
    }
  }

  /**
   * Every item, in order, as copies of the chunks that hold them: a copy of references, cheaper
   * than one flat array (a few milliseconds at a million items).
   */
  chunkCopies(): T[][] {
    return this.#chunks.map((c) => c.slice());
  }

  /** Every item, in order (a new array). */
  all(): T[] {
    return this.#chunks.flat();
  }

  clear(): void {
    this.#chunks = [];
    this.#size = 0;
  }
}

/** A sorted set of strings with prefix range scans. */
export class SortedKeys extends SortedItems<string> {
  constructor() {
    super((k) => k);
  }

  /** A set built at once from keys in strictly ascending order (a snapshot's); undefined when they are not in that order. */
  static fromSorted(keys: readonly string[]): SortedKeys | undefined {
    const set = new SortedKeys();
    return set.fillSorted(keys) ? set : undefined;
  }
}

/** KV entries sorted by key: the KV table's order, holding the entries themselves (immutable), so a copy of the chunks is a snapshot of the table. */
export class SortedEntries extends SortedItems<KvEntry> {
  constructor() {
    super((e) => e.Key);
  }

  /** A set built at once from entries in strictly ascending key order (a snapshot's); undefined when they are not in that order. */
  static fromSorted(entries: readonly KvEntry[]): SortedEntries | undefined {
    const set = new SortedEntries();
    return set.fillSorted(entries) ? set : undefined;
  }
}
