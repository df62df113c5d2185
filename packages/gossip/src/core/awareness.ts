/**
 * Lifeguard local-health awareness (memberlist `awareness.go`): a score in
 * [0, max − 1]. Failed probes without the expected nacks and refutations raise it,
 * successful probes lower it. Probe intervals are multiplied by `score + 1`.
 */
export class Awareness {
  readonly #max: number;
  #score = 0;

  constructor(max: number) {
    this.#max = max;
  }

  applyDelta(delta: number): void {
    this.#score = Math.min(this.#max - 1, Math.max(0, this.#score + delta));
  }

  get score(): number {
    return this.#score;
  }

  scaleTimeout(ms: number): number {
    return ms * (this.#score + 1);
  }
}
