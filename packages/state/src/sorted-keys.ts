import type { KvEntry } from './types.js';

/** Keys per chunk before it splits in two: inserting moves at most this many references. */
const CHUNK_MAX = 512;

/**
 * Items sorted by a string key, with prefix range scans. Items live in sorted chunks of at most
 * CHUNK_MAX, themselves in order, so that adding or deleting one costs two binary searches and a
 * move of at most CHUNK_MAX references (a single sorted array moves half the set on average: at a
 * million keys, milliseconds per write). One item per key: adding one whose key is there replaces it.
 *
 * Each chunk's keys are kept beside its items, and the last key of every chunk in one array, so
 * that a search compares strings read straight from an array instead of going through each item
 * it passes (at a million keys, one memory load fewer on each of some 20 steps of every write).
 */
export class SortedItems<T> {
  #chunks: T[][] = [];
  /** `#keys[i][j]` is the key of `#chunks[i][j]`. */
  #keys: string[][] = [];
  /** `#lastKeys[i]` is the last key of chunk i. */
  #lastKeys: string[] = [];
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
    const keys = items.map(this.#keyOf);
    for (let i = 1; i < keys.length; i++) if (!((keys[i - 1] as string) < (keys[i] as string))) return false;
    const per = CHUNK_MAX >>> 1;
    for (let i = 0; i < items.length; i += per) {
      const k = keys.slice(i, i + per);
      this.#chunks.push(items.slice(i, i + per));
      this.#keys.push(k);
      this.#lastKeys.push(k[k.length - 1] as string);
    }
    this.#size = items.length;
    return true;
  }

  get size(): number {
    return this.#size;
  }

  /** The chunk that holds `key` or where it belongs: the first whose last key is >= `key`. */
  #chunkFor(key: string): number {
    const last = this.#lastKeys;
    let lo = 0;
    let hi = last.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((last[mid] as string) < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Position of the first key >= `key` in a chunk's sorted keys. */
  static #lowerBound(keys: readonly string[], key: string): number {
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((keys[mid] as string) < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Adds `item`, or replaces the one with its key. */
  add(item: T): void {
    const key = this.#keyOf(item);
    const chunks = this.#chunks;
    if (chunks.length === 0) {
      chunks.push([item]);
      this.#keys.push([key]);
      this.#lastKeys.push(key);
      this.#size = 1;
      return;
    }
    let ci = this.#chunkFor(key);
    // past every key: it goes at the end of the last chunk
    if (ci === chunks.length) ci--;
    const chunk = chunks[ci] as T[];
    const keys = this.#keys[ci] as string[];
    const at = SortedItems.#lowerBound(keys, key);
    if (at < keys.length && keys[at] === key) {
      chunk[at] = item;
      return;
    }
    if (at === keys.length) {
      chunk.push(item);
      keys.push(key);
      this.#lastKeys[ci] = key;
    } else {
      chunk.splice(at, 0, item);
      keys.splice(at, 0, key);
    }
    this.#size++;
    if (chunk.length > CHUNK_MAX) {
      const half = chunk.length >>> 1;
      chunks.splice(ci + 1, 0, chunk.splice(half));
      const moved = keys.splice(half);
      this.#keys.splice(ci + 1, 0, moved);
      this.#lastKeys.splice(ci, 0, keys[keys.length - 1] as string);
    }
  }

  delete(key: string): void {
    const ci = this.#chunkFor(key);
    const chunk = this.#chunks[ci];
    const keys = this.#keys[ci];
    if (!chunk || !keys) return;
    const at = SortedItems.#lowerBound(keys, key);
    if (at >= keys.length || keys[at] !== key) return;
    chunk.splice(at, 1);
    keys.splice(at, 1);
    this.#size--;
    if (keys.length === 0) {
      this.#chunks.splice(ci, 1);
      this.#keys.splice(ci, 1);
      this.#lastKeys.splice(ci, 1);
    } else if (at === keys.length) this.#lastKeys[ci] = keys[at - 1] as string;
  }

  /** Items whose key starts with `prefix`, in order. */
  *withPrefix(prefix: string): IterableIterator<T> {
    const chunks = this.#chunks;
    let ci = prefix === '' ? 0 : this.#chunkFor(prefix);
    if (ci >= chunks.length) return;
    let i = prefix === '' ? 0 : SortedItems.#lowerBound(this.#keys[ci] as string[], prefix);
    for (; ci < chunks.length; ci++, i = 0) {
      const chunk = chunks[ci] as T[];
      const keys = this.#keys[ci] as string[];
      for (; i < chunk.length; i++) {
        if (!(keys[i] as string).startsWith(prefix)) return;
        yield chunk[i] as T;
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
    this.#keys = [];
    this.#lastKeys = [];
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
