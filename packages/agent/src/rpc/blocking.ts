/**
 * Blocking queries on the server that answers them (Consul's `blockingQuery`): run the read; while
 * its index is not past the caller's, wait for a change to one of its topics, up to the wait plus
 * a jitter of up to a sixteenth, then run it again.
 */
import type { QueryResult } from '@concord/state';

/** What a blocking read needs from the state. */
export interface QuerySource {
  /** Registers a one-shot watch on topics; returns a cancel function. */
  watch(topics: readonly string[], cb: () => void): () => void;
  defaultQueryTimeMs: number;
  maxQueryTimeMs: number;
  /** Random number in [0, 1) for the wait jitter (injectable for tests). */
  random(): number;
}

export async function blockingRun<T>(source: QuerySource, minIndex: number, waitMs: number, signal: AbortSignal, run: () => QueryResult<T>): Promise<QueryResult<T>> {
  let result = run();
  if (minIndex === 0 || result.index > minIndex) return result;
  const bounded = Math.min(waitMs > 0 ? waitMs : source.defaultQueryTimeMs, source.maxQueryTimeMs);
  const deadline = Date.now() + bounded + source.random() * (bounded / 16);
  while (result.index <= minIndex) {
    const remaining = deadline - Date.now();
    if (remaining <= 0 || signal.aborted) break;
    const topics = result.topics;
    const woke = await waitForChange(remaining, signal, (cb) => source.watch(topics, cb));
    if (signal.aborted) return result;
    result = run();
    if (!woke) break;
  }
  return result;
}

/**
 * Waiters whose watch fired, resumed a batch at a time: one write can wake tens of thousands of
 * blocking queries, and resuming them all in one turn would hold the event loop (every other
 * request, raft's ticks) for as long as it takes to answer all of them.
 */
const WAKE_BATCH = 8192;
let woken: ChangeWaiter[] = [];
let wakeScheduled = false;

function resumeWoken(): void {
  const batch = woken.length > WAKE_BATCH ? woken.splice(0, WAKE_BATCH) : woken;
  if (batch === woken) woken = [];
  for (const w of batch) w.settle(true);
  if (woken.length > 0) setImmediate(resumeWoken);
  else wakeScheduled = false;
}

/**
 * One wait for a change: a timer, a watch and an abort listener, held by one object (no closure
 * per part), released together whichever settles it first.
 */
class ChangeWaiter {
  readonly #resolve: (changed: boolean) => void;
  readonly #signal: AbortSignal;
  readonly #timer: NodeJS.Timeout;
  readonly #cancelWatch: () => void;
  #settled = false;

  constructor(resolve: (changed: boolean) => void, ms: number, signal: AbortSignal, watch: (cb: () => void) => () => void) {
    this.#resolve = resolve;
    this.#signal = signal;
    this.#timer = setTimeout(timedOut, ms, this);
    this.#cancelWatch = watch(() => this.#woken());
    signal.addEventListener('abort', this, { once: true });
  }

  #woken(): void {
    woken.push(this);
    if (!wakeScheduled) {
      wakeScheduled = true;
      setImmediate(resumeWoken);
    }
  }

  /** The abort listener (an EventTarget listener object). */
  handleEvent(): void {
    this.settle(false);
  }

  settle(changed: boolean): void {
    if (this.#settled) return;
    this.#settled = true;
    clearTimeout(this.#timer);
    this.#cancelWatch();
    this.#signal.removeEventListener('abort', this);
    this.#resolve(changed);
  }
}

function timedOut(w: ChangeWaiter): void {
  w.settle(false);
}

/** Resolves true when `watch` fires, false after `ms` or once `signal` aborts. */
export function waitForChange(ms: number, signal: AbortSignal, watch: (cb: () => void) => () => void): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise<boolean>((resolve) => new ChangeWaiter(resolve, ms, signal, watch));
}
