/** An opaque handle for a timer started through `Timers`. */
export type TimerHandle = unknown;

/**
 * The clock and timers a driver uses, so that a simulator can hand it simulated ones. The real
 * implementation is `realTimers`; `SimClock.timers()` gives simulated ones.
 */
export interface Timers {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  setInterval(fn: () => void, ms: number): TimerHandle;
  clearInterval(handle: TimerHandle): void;
  /** Run `fn` after the current work and the continuations it queued (`setImmediate`). */
  defer(fn: () => void): void;
}

/** Node's own timers and `performance.now()`. */
export const realTimers: Timers = Object.freeze({
  now: () => performance.now(),
  setTimeout: (fn: () => void, ms: number): TimerHandle => setTimeout(fn, ms),
  clearTimeout: (h: TimerHandle) => clearTimeout(h as NodeJS.Timeout),
  setInterval: (fn: () => void, ms: number): TimerHandle => setInterval(fn, ms),
  clearInterval: (h: TimerHandle) => clearInterval(h as NodeJS.Timeout),
  defer: (fn: () => void) => {
    setImmediate(fn);
  },
});
