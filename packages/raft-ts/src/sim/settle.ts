import { promiseHooks } from 'node:v8';

/**
 * Running an event to completion: the event itself, then every promise continuation it started,
 * before the next event (as Node runs all microtasks before the next timer or I/O callback).
 *
 * Waiting a macrotask (`setImmediate`) after each event would do it, at the price of an event
 * loop turn per event. Instead, V8's promise hooks count the continuations that run: hop through
 * the microtask queue until a hop finds that only itself ran since the previous one, which means
 * nothing else was queued. Two simulations in one process would keep each other's queue busy, so
 * runs take turns (`exclusive`).
 */
let reactions = 0;
let users = 0;
let stopCounting: (() => void) | undefined;
let turn: Promise<void> = Promise.resolve();

/** Most hops before giving up on counting and waiting a macrotask instead. */
const MAX_HOPS = 10_000;

export async function settle(): Promise<void> {
  for (let hops = 0; hops < MAX_HOPS; hops++) {
    const before = reactions;
    // One microtask turn exactly (a thenable would take more): the counted reactions depend on it.
    // eslint-disable-next-line @typescript-eslint/await-thenable
    await null;
    if (reactions === before + 1) return;
  }
  await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Run `fn` alone among the simulations of this process, with continuations counted. */
export async function exclusive<T>(fn: () => Promise<T>): Promise<T> {
  const previous = turn;
  let release!: () => void;
  turn = new Promise<void>((resolve) => (release = resolve));
  await previous;
  if (users++ === 0) stopCounting = promiseHooks.onBefore(() => void reactions++) as () => void;
  try {
    return await fn();
  } finally {
    if (--users === 0) {
      stopCounting?.();
      stopCounting = undefined;
    }
    release();
  }
}
