/**
 * Per-peer moving median of the last `size` round-trip times (Serf's latency filter):
 * one slow or fast sample does not jerk a coordinate around.
 */
export class LatencyFilter {
  readonly #size: number;
  readonly #samples = new Map<string, number[]>();

  constructor(size: number) {
    this.#size = size;
  }

  /** Record `rtt` for `peer` and return the median of its recent samples. */
  add(peer: string, rtt: number): number {
    let samples = this.#samples.get(peer);
    if (samples === undefined) {
      samples = [];
      this.#samples.set(peer, samples);
    }
    samples.push(rtt);
    if (samples.length > this.#size) samples.shift();
    const sorted = [...samples].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)] as number;
  }

  forget(peer: string): void {
    this.#samples.delete(peer);
  }
}
