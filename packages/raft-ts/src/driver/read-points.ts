import { realTimers, type TimerHandle, type Timers } from '@concord/simkit';
import type { ReadState } from '../core/types.js';
import { ReadIndexError } from '../errors.js';

interface PendingRead {
  readonly resolve: (index: number) => void;
  readonly reject: (e: Error) => void;
  readonly timer: TimerHandle;
  /** The confirmed read index, or -1 while the leader has not confirmed it. */
  index: number;
}

/**
 * The driver's ReadIndex requests: each waits first for the leader to confirm a read index (a
 * ReadState with its context), then for the state machine to apply up to that index.
 */
export class ReadPoints {
  readonly #timeoutMs: number;
  readonly #timers: Timers;
  readonly #unconfirmed = new Map<string, PendingRead>();
  #confirmed: PendingRead[] = [];

  constructor(timeoutMs: number, timers: Timers = realTimers) {
    this.#timeoutMs = timeoutMs;
    this.#timers = timers;
  }

  /** Registers a read under `ctx` and calls `request` (which asks the core for a read index). */
  add(ctx: string, request: () => void): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = this.#timers.setTimeout(() => {
        this.#unconfirmed.delete(ctx);
        this.#confirmed = this.#confirmed.filter((w) => w !== pr);
        reject(new ReadIndexError('timed out'));
      }, this.#timeoutMs);
      const pr: PendingRead = { resolve, reject, timer, index: -1 };
      this.#unconfirmed.set(ctx, pr);
      try {
        request();
      } catch (err) {
        this.#timers.clearTimeout(timer);
        this.#unconfirmed.delete(ctx);
        reject(err as Error);
      }
    });
  }

  /** Notes the read indexes the core confirmed, then settles every read applied far enough. */
  advance(readStates: readonly ReadState[], applied: number): void {
    for (const rs of readStates) {
      const pr = this.#unconfirmed.get(rs.context);
      if (!pr) continue;
      this.#unconfirmed.delete(rs.context);
      pr.index = rs.index;
      this.#confirmed.push(pr);
    }
    if (this.#confirmed.length === 0) return;
    const done = this.#confirmed.filter((w) => w.index <= applied);
    this.#confirmed = this.#confirmed.filter((w) => w.index > applied);
    for (const w of done) this.#timers.clearTimeout(w.timer), w.resolve(w.index);
  }

  /**
   * Fails the reads the leader has not confirmed (a new leader will never answer them). Confirmed
   * read points stay valid: they only wait for this node to apply far enough.
   */
  failUnconfirmed(err: Error): void {
    for (const r of this.#unconfirmed.values()) this.#timers.clearTimeout(r.timer), r.reject(err);
    this.#unconfirmed.clear();
  }

  failAll(err: Error): void {
    this.failUnconfirmed(err);
    for (const r of this.#confirmed) this.#timers.clearTimeout(r.timer), r.reject(err);
    this.#confirmed = [];
  }
}
