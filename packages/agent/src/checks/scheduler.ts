import type { CheckResult, CheckRunner, Probe } from './types.js';
import { errorText } from './types.js';
import { type LongTimer, setLongTimeout } from './long-timer.js';
import { StatusGate, type Thresholds } from './thresholds.js';

/** The clock and timers the scheduler runs on (real ones by default; tests drive their own). */
export interface SchedulerClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: SchedulerClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setLongTimeout(fn, ms),
  clearTimeout: (handle) => (handle as LongTimer).clear(),
};

export interface ScheduleOptions extends Thresholds {
  intervalMs: number;
  timeoutMs: number;
  outputMaxSize: number;
  /** Receives every result that passes the thresholds. */
  report(result: CheckResult): void;
  /** Random source for the start stagger (tests may pin it). */
  random?: () => number;
  clock?: SchedulerClock;
}

/**
 * Runs a probe every interval, on a fixed phase: the first run waits a random stagger within
 * the interval, and later runs start on the slots `stagger + k × interval` after that, so many
 * checks stay spread over the interval even after the process was stalled for a while (a late
 * run does not drag the later ones with it). A run never overlaps the previous one: slots that
 * pass while a run is still going are skipped. Errors become critical results.
 */
export function schedule(probe: Probe, options: ScheduleOptions): CheckRunner {
  const clock = options.clock ?? realClock;
  const gate = new StatusGate(options);
  const interval = Math.max(1, options.intervalMs);
  let stopped = false;
  let timer: unknown;
  let current: AbortController | undefined;
  let slot = clock.now() + Math.floor((options.random ?? Math.random)() * interval);

  const arm = (): void => {
    if (stopped) return;
    timer = clock.setTimeout(() => void run(), Math.max(0, slot - clock.now()));
  };

  const run = async (): Promise<void> => {
    timer = undefined;
    if (stopped) return;
    const ac = new AbortController();
    current = ac;
    const deadline = clock.setTimeout(() => ac.abort(new Error('timeout')), options.timeoutMs);
    let result: CheckResult;
    try {
      result = await probe({ signal: ac.signal, timeoutMs: options.timeoutMs, outputMaxSize: options.outputMaxSize });
    } catch (err) {
      result = { status: 'critical', output: errorText(err) };
    } finally {
      clock.clearTimeout(deadline);
      current = undefined;
    }
    if (stopped) return;
    const reported = gate.next(result);
    if (reported) {
      try {
        options.report(reported);
      } catch {
        // a failing report must not stop the schedule
      }
    }
    const now = clock.now();
    slot += interval;
    if (slot <= now) slot += Math.ceil((now - slot) / interval) * interval;
    arm();
  };

  arm();
  return {
    stop(): void {
      stopped = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      current?.abort(new Error('stopped'));
    },
  };
}
