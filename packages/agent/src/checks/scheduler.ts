import type { CheckResult, CheckRunner, Probe } from './types.js';
import { errorText } from './types.js';
import { StatusGate, type Thresholds } from './thresholds.js';

export interface ScheduleOptions extends Thresholds {
  intervalMs: number;
  timeoutMs: number;
  outputMaxSize: number;
  /** Receives every result that passes the thresholds. */
  report(result: CheckResult): void;
  /** Random source for the start stagger (tests may pin it). */
  random?: () => number;
}

/**
 * Runs a probe every interval. The first run waits a random stagger within the interval so
 * many checks do not fire together; a run never overlaps the previous one (the next run is
 * scheduled an interval after the previous one finished). Errors become critical results.
 */
export function schedule(probe: Probe, options: ScheduleOptions): CheckRunner {
  const gate = new StatusGate(options);
  const interval = Math.max(1, options.intervalMs);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: AbortController | undefined;

  const arm = (delay: number): void => {
    if (stopped) return;
    timer = setTimeout(() => void run(), delay);
    timer.unref();
  };

  const run = async (): Promise<void> => {
    timer = undefined;
    if (stopped) return;
    const ac = new AbortController();
    current = ac;
    const deadline = setTimeout(() => ac.abort(new Error('timeout')), options.timeoutMs);
    deadline.unref();
    let result: CheckResult;
    try {
      result = await probe({ signal: ac.signal, timeoutMs: options.timeoutMs, outputMaxSize: options.outputMaxSize });
    } catch (err) {
      result = { status: 'critical', output: errorText(err) };
    } finally {
      clearTimeout(deadline);
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
    arm(interval);
  };

  arm(Math.floor((options.random ?? Math.random)() * interval));
  return {
    stop(): void {
      stopped = true;
      if (timer) clearTimeout(timer);
      current?.abort(new Error('stopped'));
    },
  };
}
