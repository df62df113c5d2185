/**
 * In-flight append messages to one follower in Replicate state: the last index and the byte size of
 * each, limited by count and by total bytes (the bandwidth-delay product, by Little's law).
 */
export class Inflights {
  readonly #maxCount: number;
  readonly #maxBytes: number;
  #indexes: number[] = [];
  #sizes: number[] = [];
  #bytes = 0;

  constructor(maxCount: number, maxBytes: number) {
    this.#maxCount = maxCount;
    this.#maxBytes = maxBytes;
  }

  add(index: number, bytes: number): void {
    this.#indexes.push(index);
    this.#sizes.push(bytes);
    this.#bytes += bytes;
  }

  /** Free every in-flight message whose last index is <= `to`. */
  freeLE(to: number): void {
    let n = 0;
    while (n < this.#indexes.length && this.#indexes[n]! <= to) {
      this.#bytes -= this.#sizes[n]!;
      n++;
    }
    if (n > 0) {
      this.#indexes.splice(0, n);
      this.#sizes.splice(0, n);
    }
  }

  full(): boolean {
    return this.#indexes.length >= this.#maxCount || (this.#maxBytes > 0 && this.#bytes >= this.#maxBytes);
  }

  count(): number {
    return this.#indexes.length;
  }

  reset(): void {
    this.#indexes = [];
    this.#sizes = [];
    this.#bytes = 0;
  }
}
