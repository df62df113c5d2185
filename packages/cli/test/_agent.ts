/**
 * Test helpers (from @concord/testkit): a real `concord agent -dev` child process on ephemeral
 * ports, stopped by the caller (and killed by PID if the test process exits first), and the
 * `concord` binary run against it.
 */
import { type AgentProcess, startAgent as start } from '@concord/testkit';

export { BIN, ROOT, type CliOptions, type CliResult, runCli, uniqueName } from '@concord/testkit';
export type RunningAgent = AgentProcess;

export function startAgent(extraArgs: readonly string[] = []): Promise<RunningAgent> {
  return start({ teardown: () => undefined }, { extraArgs });
}
