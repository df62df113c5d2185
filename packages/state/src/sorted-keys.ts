/** A sorted set of strings with prefix range scans (binary search over an array). */
export class SortedKeys {
  #keys: string[] = [];

  get size(): number {
    return this.#keys.length;
  }

  /** Position of the first key >= `key`. */
  #lowerBound(key: string): number {
    const keys = this.#keys;
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((keys[mid] as string) < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  add(key: string): void {
    const at = this.#lowerBound(key);
    if (this.#keys[at] !== key) this.#keys.splice(at, 0, key);
  }

  delete(key: string): void {
    const at = this.#lowerBound(key);
    if (this.#keys[at] === key) this.#keys.splice(at, 1);
  }

  /** Keys starting with `prefix`, in order. */
  *withPrefix(prefix: string): IterableIterator<string> {
    const keys = this.#keys;
    for (let i = prefix === '' ? 0 : this.#lowerBound(prefix); i < keys.length; i++) {
      const k = keys[i] as string;
      if (!k.startsWith(prefix)) return;
      yield k;
    }
  }

  all(): readonly string[] {
    return this.#keys;
  }

  clear(): void {
    this.#keys = [];
  }
}
