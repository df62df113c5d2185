/**
 * Timers for check intervals, timeouts and TTLs, which Consul allows up to Go's longest duration
 * (about 292 years). Node's own timers fire after 1 ms when asked for more than 2^31-1 ms
 * (about 24.8 days), which would turn a 30-day TTL into an instant expiry and a 30-day interval
 * into a busy loop; these wait the whole delay in steps of at most that size.
 */

/** The longest delay a Node timer honours. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export interface LongTimer {
  clear(): void;
}

/** Calls `fn` once after `ms` milliseconds (unref'd: it keeps no process alive). */
export function setLongTimeout(fn: () => void, ms: number): LongTimer {
  let handle: NodeJS.Timeout;
  const arm = (left: number): void => {
    handle = left > MAX_TIMER_MS ? setTimeout(() => arm(left - MAX_TIMER_MS), MAX_TIMER_MS) : setTimeout(fn, Math.max(0, left));
    handle.unref();
  };
  arm(ms);
  return { clear: () => clearTimeout(handle) };
}
