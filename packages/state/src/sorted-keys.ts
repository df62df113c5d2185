/** Keys per chunk before it splits in two: inserting moves at most this many references. */
const CHUNK_MAX = 512;

/**
 * A sorted set of strings with prefix range scans. Keys live in sorted chunks of at most
 * CHUNK_MAX, themselves in order, so that adding or deleting a key costs two binary searches and
 * a move of at most CHUNK_MAX references (a single sorted array moves half the set on average:
 * at a million keys, milliseconds per write).
 */
export class SortedKeys {
  #chunks: string[][] = [];
  #size = 0;

  /**
   * A set built at once from keys in strictly ascending order (a snapshot's), in full chunks of
   * half the split size; undefined when they are not in that order.
   */
  static fromSorted(keys: readonly string[]): SortedKeys | undefined {
    for (let i = 1; i < keys.length; i++) if (!((keys[i - 1] as string) < (keys[i] as string))) return undefined;
    const set = new SortedKeys();
    const per = CHUNK_MAX >>> 1;
    for (let i = 0; i < keys.length; i += per) set.#chunks.push(keys.slice(i, i + per));
    set.#size = keys.length;
    return set;
  }

  get size(): number {
    return this.#size;
  }

  /** The chunk that holds `key` or where it belongs: the first whose last key is >= `key`. */
  #chunkFor(key: string): number {
    const chunks = this.#chunks;
    let lo = 0;
    let hi = chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = chunks[mid] as string[];
      if ((c[c.length - 1] as string) < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  add(key: string): void {
    const chunks = this.#chunks;
    if (chunks.length === 0) {
      chunks.push([key]);
      this.#size = 1;
      return;
    }
    let ci = this.#chunkFor(key);
    // past every key: it goes at the end of the last chunk
    if (ci === chunks.length) ci--;
    const chunk = chunks[ci] as string[];
    const at = lowerBound(chunk, key);
    if (chunk[at] === key) return;
    chunk.splice(at, 0, key);
    this.#size++;
    if (chunk.length > CHUNK_MAX) chunks.splice(ci + 1, 0, chunk.splice(chunk.length >>> 1));
  }

  delete(key: string): void {
    const ci = this.#chunkFor(key);
    const chunk = this.#chunks[ci];
    if (!chunk) return;
    const at = lowerBound(chunk, key);
    if (chunk[at] !== key) return;
    chunk.splice(at, 1);
    this.#size--;
    if (chunk.length === 0) this.#chunks.splice(ci, 1);
  }

  /** Keys starting with `prefix`, in order. */
  *withPrefix(prefix: string): IterableIterator<string> {
    const chunks = this.#chunks;
    let ci = prefix === '' ? 0 : this.#chunkFor(prefix);
    if (ci >= chunks.length) return;
    let i = prefix === '' ? 0 : lowerBound(chunks[ci] as string[], prefix);
    for (; ci < chunks.length; ci++, i = 0) {
      const chunk = chunks[ci] as string[];
      for (; i < chunk.length; i++) {
        const k = chunk[i] as string;
        if (!k.startsWith(prefix)) return;
        yield k;
      }
    }
  }

  /** Every key, in order, as copies of the chunks that hold them (cheaper than one flat array). */
  chunkCopies(): string[][] {
    return this.#chunks.map((c) => c.slice());
  }

  /** Every key, in order (a new array). */
  all(): readonly string[] {
    return this.#chunks.flat();
  }

  clear(): void {
    this.#chunks = [];
    this.#size = 0;
  }
}

/** Position of the first key >= `key` in a sorted array. */
function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] as string) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
