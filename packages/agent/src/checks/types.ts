import type { HealthStatus } from '@concord/state';

/** The outcome of one run of a check. */
export interface CheckResult {
  status: HealthStatus;
  output: string;
}

/** What one run of a check gets: its deadline and its output budget. */
export interface ProbeContext {
  /** Aborted when the run's timeout elapses or the runner stops. */
  signal: AbortSignal;
  timeoutMs: number;
  outputMaxSize: number;
}

/** Runs a check once. Must not throw; the scheduler turns a thrown error into a critical result anyway. */
export type Probe = (ctx: ProbeContext) => Promise<CheckResult>;

/** A running check; `stop` ends it for good. */
export interface CheckRunner {
  stop(): void;
}

/** Consul's default check timeout. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** The text of an error, as short as it can be while still saying what went wrong. */
export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
