/**
 * The KV table as it was at one moment, read later without copying it: the sorted key index's
 * chunks are copied (references to the keys, milliseconds at a million keys), and the entries are
 * looked up as they are read. A write after the capture first hands the entry it replaces or
 * deletes to every open capture (`KvCaptures.beforeWrite`), which reads that one instead. Entries
 * are immutable, so the entries read are exactly those the table held at the capture.
 */
import type { KvEntry } from './types.js';

export class KvCapture {
  readonly #chunks: readonly (readonly string[])[];
  readonly #kv: ReadonlyMap<string, KvEntry>;
  readonly #before = new Map<string, KvEntry | undefined>();
  readonly #release: () => void;
  readonly size: number;

  constructor(chunks: readonly (readonly string[])[], size: number, kv: ReadonlyMap<string, KvEntry>, release: (c: KvCapture) => void) {
    this.#chunks = chunks;
    this.size = size;
    this.#kv = kv;
    this.#release = () => release(this);
  }

  /** Called before `key`'s entry is replaced or deleted: the first time, remember what it was. */
  beforeWrite(key: string, entry: KvEntry | undefined): void {
    if (!this.#before.has(key)) this.#before.set(key, entry);
  }

  /** The entries in key order; the capture is released when they are read or the iteration is ended early. */
  *entries(): Generator<KvEntry> {
    try {
      for (const chunk of this.#chunks) {
        for (const key of chunk) {
          const e = this.#before.has(key) ? this.#before.get(key) : this.#kv.get(key);
          if (e === undefined) throw new Error(`captured key ${key} has no entry`);
          yield e;
        }
      }
    } finally {
      this.release();
    }
  }

  /** Stop following writes (also done when `entries()` ends). */
  release(): void {
    this.#release();
  }
}

/** The open captures of one KV table; the table's writes call `beforeWrite` first. */
export class KvCaptures {
  readonly #open = new Set<KvCapture>();

  capture(chunks: readonly (readonly string[])[], size: number, kv: ReadonlyMap<string, KvEntry>): KvCapture {
    const c = new KvCapture(chunks, size, kv, (done) => this.#open.delete(done));
    this.#open.add(c);
    return c;
  }

  get open(): number {
    return this.#open.size;
  }

  beforeWrite(key: string, entry: KvEntry | undefined): void {
    if (this.#open.size === 0) return;
    for (const c of this.#open) c.beforeWrite(key, entry);
  }
}

/**
 * `gen`, calling `release` once it ends: read to the end, failed, or ended early by `return()`,
 * even before its first `next()` (a generator's own `finally` only runs once it started).
 */
export function releasing<T>(gen: Generator<T>, release: () => void): IterableIterator<T> {
  return {
    next(): IteratorResult<T> {
      try {
        const r = gen.next();
        if (r.done) release();
        return r;
      } catch (err) {
        release();
        throw err;
      }
    },
    return(value?: unknown): IteratorResult<T> {
      release();
      return gen.return(value as never);
    },
    [Symbol.iterator]() {
      return this;
    },
  };
}
