import type { HealthStatus } from '@concord/state';
import type { CheckResult } from './types.js';

export interface Thresholds {
  successBeforePassing: number;
  failuresBeforeWarning: number;
  failuresBeforeCritical: number;
}

/**
 * Consecutive success/failure counting in front of status updates (Consul's StatusHandler):
 * passing and warning results count as successes and are only reported after
 * `successBeforePassing` of them in a row; critical results are reported as critical after
 * `failuresBeforeCritical` in a row, as warning after `failuresBeforeWarning` (which defaults to
 * `failuresBeforeCritical`), and not at all before that.
 */
export class StatusGate {
  readonly #successBeforePassing: number;
  readonly #failuresBeforeWarning: number;
  readonly #failuresBeforeCritical: number;
  #successes = 0;
  #failures = 0;

  constructor(t: Thresholds) {
    this.#successBeforePassing = Math.max(0, t.successBeforePassing);
    this.#failuresBeforeCritical = Math.max(0, t.failuresBeforeCritical);
    this.#failuresBeforeWarning = t.failuresBeforeWarning > 0 ? t.failuresBeforeWarning : this.#failuresBeforeCritical;
  }

  /** The result to report, or undefined while a threshold is not reached. */
  next(result: CheckResult): CheckResult | undefined {
    if (result.status === 'passing' || result.status === 'warning') {
      this.#successes++;
      this.#failures = 0;
      return this.#successes >= this.#successBeforePassing ? result : undefined;
    }
    this.#failures++;
    this.#successes = 0;
    if (this.#failures >= this.#failuresBeforeCritical) return result;
    if (this.#failures >= this.#failuresBeforeWarning) return { status: 'warning' as HealthStatus, output: result.output };
    return undefined;
  }
}
