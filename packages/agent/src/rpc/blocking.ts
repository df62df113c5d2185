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

/** Resolves true when `watch` fires, false after `ms` or once `signal` aborts. */
export function waitForChange(ms: number, signal: AbortSignal, watch: (cb: () => void) => () => void): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    let cancel: () => void = () => {};
    const done = (changed: boolean): void => {
      clearTimeout(timer);
      cancel();
      signal.removeEventListener('abort', onAbort);
      resolve(changed);
    };
    const onAbort = (): void => done(false);
    const timer = setTimeout(() => done(false), ms);
    cancel = watch(() => done(true));
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
