import { EventQueue } from './event-queue.js';
import type { TimerHandle, Timers } from './timers.js';

interface Scheduled {
  readonly run: () => void;
  cancelled: boolean;
}

/**
 * Simulated time: callbacks on an event queue, run one at a time in (time, scheduling order).
 * Time moves only from one event to the next, so quiet stretches cost nothing.
 */
export class SimClock {
  readonly #queue = new EventQueue<Scheduled>();
  #now = 0;
  #eventsRun = 0;

  get now(): number {
    return this.#now;
  }

  /** Events run so far (cancelled ones not counted). */
  get eventsRun(): number {
    return this.#eventsRun;
  }

  /** Run `run` `delay` ms from now (a negative delay counts as 0). Returns a handle for `cancel`. */
  schedule(delay: number, run: () => void): TimerHandle {
    return this.#push(this.#now + Math.max(0, delay), run);
  }

  /** Run `run` at time `t` (now if `t` has passed). */
  at(t: number, run: () => void): TimerHandle {
    return this.#push(Math.max(t, this.#now), run);
  }

  cancel(handle: TimerHandle): void {
    if (handle !== null && typeof handle === 'object' && 'cancelled' in handle) (handle as Scheduled).cancelled = true;
  }

  /** Time of the next event still to run; +∞ when none. */
  nextEventTime(): number {
    this.#dropCancelled();
    return this.#queue.peekTime();
  }

  /** Run the next event; false when none is left or the next one is after `until`. */
  runNext(until = Number.POSITIVE_INFINITY): boolean {
    this.#dropCancelled();
    if (this.#queue.peekTime() > until) return false;
    const ev = this.#queue.pop();
    if (ev === undefined) return false;
    this.#now = ev.at;
    this.#eventsRun++;
    ev.value.run();
    return true;
  }

  /** Run events up to time `t` (or until `stop()` answers true after one), then move the clock to `t`. */
  runUntil(t: number, stop?: () => boolean): void {
    while (this.runNext(t)) if (stop?.()) return;
    this.#now = Math.max(this.#now, t);
  }

  /**
   * A set of timers that can be cancelled at once: one per simulated process, so a crash takes
   * every timer the process had started with it.
   */
  timers(): SimTimers {
    return new SimTimers(this);
  }

  #push(at: number, run: () => void): Scheduled {
    const s: Scheduled = { run, cancelled: false };
    this.#queue.push(at, s);
    return s;
  }

  #dropCancelled(): void {
    while (this.#queue.peek()?.cancelled === true) this.#queue.pop();
  }
}

/**
 * Simulated `Timers` for one process. `cancelAll()` (a crash) cancels every timer it started and
 * makes later calls no-ops; `now()` reads the shared clock.
 */
export class SimTimers implements Timers {
  readonly #clock: SimClock;
  readonly #live = new Set<object>();
  #dead = false;

  constructor(clock: SimClock) {
    this.#clock = clock;
  }

  now(): number {
    return this.#clock.now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.#start(ms, fn);
  }

  clearTimeout(handle: TimerHandle): void {
    this.#cancel(handle);
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    // One handle for the whole series: each run schedules the next under the same handle.
    const series = { current: undefined as TimerHandle, cancelled: false };
    const period = Math.max(1, ms);
    const fire = (): void => {
      if (series.cancelled) return;
      series.current = this.#start(period, fire);
      fn();
    };
    series.current = this.#start(period, fire);
    this.#live.add(series);
    return series;
  }

  clearInterval(handle: TimerHandle): void {
    if (handle !== null && typeof handle === 'object' && 'current' in handle) {
      const series = handle as { current: TimerHandle; cancelled: boolean };
      series.cancelled = true;
      this.#live.delete(series);
      this.#cancel(series.current);
    }
  }

  defer(fn: () => void): void {
    this.#start(0, fn);
  }

  /** Cancel every timer and refuse new ones: the process is gone. */
  cancelAll(): void {
    this.#dead = true;
    for (const h of this.#live) {
      const x = h as { cancelled: boolean };
      x.cancelled = true;
    }
    this.#live.clear();
  }

  #start(ms: number, fn: () => void): TimerHandle {
    if (this.#dead) return undefined;
    const h = this.#clock.schedule(ms, () => {
      this.#live.delete(h as object);
      fn();
    }) as object;
    this.#live.add(h);
    return h;
  }

  #cancel(handle: TimerHandle): void {
    if (handle !== null && typeof handle === 'object' && 'cancelled' in handle) {
      (handle as { cancelled: boolean }).cancelled = true;
      this.#live.delete(handle);
    }
  }
}
