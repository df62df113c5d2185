import { remainingSuspicionTime } from './timing.js';

/**
 * Lifeguard suspicion timer (memberlist `suspicion.go`). It starts at `max` (or `min`
 * when no confirmations are expected) and shrinks toward `min` as distinct peers
 * confirm the suspicion. Time is given by the caller.
 */
export class Suspicion {
  readonly k: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly startedAt: number;
  #n = 0;
  #deadline: number;
  readonly #confirmations = new Set<string>();

  constructor(from: string, k: number, minMs: number, maxMs: number, now: number) {
    this.k = k;
    this.minMs = minMs;
    this.maxMs = maxMs;
    this.startedAt = now;
    // The accuser does not count as a confirmation.
    this.#confirmations.add(from);
    this.#deadline = now + (k < 1 ? minMs : maxMs);
  }

  /** Number of independent confirmations so far. */
  get confirmations(): number {
    return this.#n;
  }

  /** When the member is to be declared dead, absent a refutation. */
  get deadline(): number {
    return this.#deadline;
  }

  /** Counts a confirmation from `from`; true if it was new (and so worth re-gossiping). */
  confirm(from: string, now: number): boolean {
    if (this.#n >= this.k) return false;
    if (this.#confirmations.has(from)) return false;
    this.#confirmations.add(from);
    this.#n += 1;
    const remaining = remainingSuspicionTime(this.#n, this.k, now - this.startedAt, this.minMs, this.maxMs);
    this.#deadline = now + Math.max(0, remaining);
    return true;
  }
}
