/**
 * Test helper: a real `concord agent -dev` child process on ephemeral ports (from
 * @concord/testkit). The caller stops it; it is killed by PID if the test process exits first.
 */
import { type AgentProcess, startAgent as start } from '@concord/testkit';

export { uniqueName } from '@concord/testkit';
export type RunningAgent = AgentProcess;

export function startAgent(extraArgs: readonly string[] = []): Promise<RunningAgent> {
  return start({ teardown: () => undefined }, { extraArgs });
}
