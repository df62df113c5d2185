import type { Xoshiro128 } from '../core/prng.js';
import type { Message, NodeId } from '../core/types.js';
import type { EventQueue } from './event-queue.js';

export interface NetworkFaults {
  /** Probability that a message is lost. */
  loss: number;
  /** Probability that a message is delivered twice. */
  duplicate: number;
  /** Base one-way delay and jitter in ms (jitter reorders messages). */
  delay: number;
  jitter: number;
}

/** A simulated network: per-message delay, loss, duplication, reordering and directed partitions. */
export class SimNetwork {
  readonly #q: EventQueue;
  readonly #rng: Xoshiro128;
  readonly #blocked = new Set<string>();
  faults: NetworkFaults;
  sent = 0;
  dropped = 0;

  constructor(q: EventQueue, rng: Xoshiro128, faults: NetworkFaults) {
    this.#q = q;
    this.#rng = rng;
    this.faults = faults;
  }

  linkUp(from: NodeId, to: NodeId): boolean {
    return !this.#blocked.has(`${from}>${to}`);
  }

  block(from: NodeId, to: NodeId): void {
    this.#blocked.add(`${from}>${to}`);
  }

  healAll(): void {
    this.#blocked.clear();
  }

  describePartitions(): string {
    return [...this.#blocked].sort().join(' ') || 'none';
  }

  /**
   * Send `m`; `deliver` runs at the receiver. `onOutcome` (for snapshots) learns whether the first
   * copy arrived, as a transport would report it to the sender.
   */
  send(m: Message, deliver: (m: Message) => void, onOutcome?: (ok: boolean) => void): void {
    this.sent++;
    const f = this.faults;
    const lost = !this.linkUp(m.from, m.to) || this.#rng.next() < f.loss;
    if (lost) {
      this.dropped++;
      if (onOutcome) this.#q.schedule(f.delay * 4, () => onOutcome(false));
      return;
    }
    const d = f.delay + this.#rng.next() * f.jitter;
    this.#q.schedule(d, () => {
      // A partition that appears while the message is in flight also drops it.
      if (!this.linkUp(m.from, m.to)) {
        this.dropped++;
        onOutcome?.(false);
        return;
      }
      deliver(m);
      onOutcome?.(true);
    });
    if (this.#rng.next() < f.duplicate) {
      this.#q.schedule(f.delay + this.#rng.next() * f.jitter * 3, () => {
        if (this.linkUp(m.from, m.to)) deliver(m);
      });
    }
  }
}
