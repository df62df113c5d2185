/** A seeded pseudo-random source. Cores and simulators never draw randomness of their own. */
export interface Prng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** xoshiro128** seeded through splitmix32: fast, small state, good enough for simulation. */
export class Xoshiro128 implements Prng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  /** `seed` is taken modulo 2^32. */
  constructor(seed: number) {
    const sm = splitmix32(seed);
    this.#a = sm();
    this.#b = sm();
    this.#c = sm();
    this.#d = sm();
    if ((this.#a | this.#b | this.#c | this.#d) === 0) this.#a = 1;
  }

  nextU32(): number {
    const r = Math.imul(rotl(Math.imul(this.#b, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.#b << 9) >>> 0;
    this.#c ^= this.#a;
    this.#d ^= this.#b;
    this.#b ^= this.#c;
    this.#a ^= this.#d;
    this.#c ^= t;
    this.#d = rotl(this.#d, 11);
    this.#a >>>= 0;
    this.#b >>>= 0;
    this.#c >>>= 0;
    return r;
  }

  next(): number {
    return this.nextU32() / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A new independent stream derived from this one (one per concern keeps decisions stable). */
  fork(): Xoshiro128 {
    return new Xoshiro128(this.nextU32());
  }
}

/**
 * A generator from any safe-integer seed: seeds above 2^32 are folded into 32 bits (high word
 * XOR low word), so `createPrng(s)` and `new Xoshiro128(s)` agree for every seed below 2^32.
 */
export function createPrng(seed: number): Xoshiro128 {
  const s = Math.floor(seed);
  return new Xoshiro128((s ^ Math.floor(s / 0x100000000)) >>> 0);
}

/** Fisher–Yates shuffle in place. */
export function shuffle<T>(items: T[], rng: Prng): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = items[i] as T;
    items[i] = items[j] as T;
    items[j] = tmp;
  }
}
