/**
 * A real `concord agent -dev` child process on ephemeral ports, stopped by PID at teardown, and
 * the `concord` binary run against it (from @concord/testkit).
 */
import { type AgentProcess, type CliResult, runCli, startAgent } from '@concord/testkit';
import type { ExecutionContext } from 'ava';

export { BIN, ROOT, type CliResult } from '@concord/testkit';
export type DevAgent = AgentProcess;

export function startDevAgent(t: ExecutionContext, options: { dns?: boolean } = {}): Promise<DevAgent> {
  return startAgent(t, { dns: options.dns });
}

/** Runs the `concord` binary against the agent at `addr` (CONSUL_HTTP_ADDR). */
export function concord(args: readonly string[], addr: string): Promise<CliResult> {
  return runCli(args, { addr });
}
