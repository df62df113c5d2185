/**
 * Test helper: a real `concord agent -dev` child process on ephemeral ports (from
 * @concord/testkit). The caller stops it; it is killed by PID if the test process exits first.
 */
import anyTest, { type TestFn } from 'ava';
import { type AgentProcess, startAgent as start } from '@concord/testkit';
import { ConsulApi } from '../src/index.js';

export { uniqueName } from '@concord/testkit';
export type RunningAgent = AgentProcess;

export function startAgent(extraArgs: readonly string[] = []): Promise<RunningAgent> {
  return start({ teardown: () => undefined }, { extraArgs });
}

/** The ava `test` of a file whose tests share one agent and a client for it (`t.context`). */
export function testWithAgent(): TestFn<{ api: ConsulApi; agent: RunningAgent }> {
  const test = anyTest as TestFn<{ api: ConsulApi; agent: RunningAgent }>;
  test.before(async (t) => {
    t.context.agent = await startAgent();
    t.context.api = new ConsulApi({ address: t.context.agent.httpAddr });
  });
  test.after.always(async (t) => {
    await t.context.agent?.stop();
  });
  return test;
}
