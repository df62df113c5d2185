import type { Prng } from '../core/prng.js';

export interface NetworkOptions {
  /** Probability that one UDP packet is lost. */
  readonly loss: number;
  /** One-way latency: `minMs` plus a uniform jitter up to `jitterMs`. */
  readonly minLatencyMs: number;
  readonly jitterMs: number;
}

/**
 * The simulated network: per-packet loss and latency for UDP, lossless but
 * partition-bound streams for TCP. Partitions are groups of member names; members in
 * different groups cannot reach each other. Members not named in any group share one.
 */
export class SimNetwork {
  readonly #rng: Prng;
  readonly #opts: NetworkOptions;
  #groupOf = new Map<string, number>();
  readonly #inboundLoss = new Map<string, number>();
  loss: number;

  constructor(rng: Prng, opts: NetworkOptions) {
    this.#rng = rng;
    this.#opts = opts;
    this.loss = opts.loss;
  }

  latency(): number {
    return this.#opts.minLatencyMs + this.#rng.next() * this.#opts.jitterMs;
  }

  /**
   * One-way delay of a TCP exchange step: a lost segment costs a retransmission
   * (about a second for a SYN), so streams are slow, not lossy, on a lossy network.
   */
  streamLatency(): number {
    let d = this.latency();
    while (this.loss > 0 && this.#rng.next() < this.loss) d += 1000;
    return d;
  }

  /** Whether a UDP packet from `a` to `b` is delivered. */
  deliversPacket(a: string, b: string): boolean {
    if (!this.connected(a, b)) return false;
    const extra = this.#inboundLoss.get(b);
    if (extra !== undefined && this.#rng.next() < extra) return false;
    return this.loss <= 0 || this.#rng.next() >= this.loss;
  }

  /** Drop this share of the UDP packets sent to `name` (a saturated NIC, a starved process). */
  degrade(name: string, inboundLoss: number): void {
    if (inboundLoss <= 0) this.#inboundLoss.delete(name);
    else this.#inboundLoss.set(name, inboundLoss);
  }

  connected(a: string, b: string): boolean {
    return (this.#groupOf.get(a) ?? 0) === (this.#groupOf.get(b) ?? 0);
  }

  partition(groups: readonly (readonly string[])[]): void {
    this.#groupOf = new Map();
    groups.forEach((g, i) => {
      for (const name of g) this.#groupOf.set(name, i + 1);
    });
  }

  heal(): void {
    this.#groupOf = new Map();
  }
}
