/** Test helpers: a dev agent per file, temp dirs, and `concord template` as a child process. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestFn } from 'ava';
import { ConsulApi } from '@concord/api';
import { type AgentProcess, BIN, fileScope, ROOT, startAgent, stopChild } from '@concord/testkit';

export function tempDirFor(teardown: (fn: () => void) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'concord-template-'));
  teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface Running {
  readonly child: ChildProcess;
  output(): string;
  exited(): Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | NodeJS.Signals | null>;
}

/** Starts `concord template ...args` against `addr`; stopped at teardown (by PID). */
export function startTemplate(args: readonly string[], addr: string, cwd: string, teardown: (fn: () => Promise<void>) => void): Running {
  const env: NodeJS.ProcessEnv = { ...process.env, CONSUL_HTTP_ADDR: addr };
  delete env.CONCORD_HTTP_ADDR;
  const child = spawn(process.execPath, [BIN, 'template', ...args], { cwd: cwd || ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString('utf8')));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  teardown(async () => {
    await stopChild(child, 'SIGKILL');
  });
  return { child, output: () => output, exited: () => exit, stop: (signal) => stopChild(child, signal) };
}

/** One dev agent for a whole test file (started in `test.before`, stopped after all tests), and a client for it. */
export function sharedAgent(test: TestFn, setup: (api: ConsulApi) => Promise<unknown> = async () => undefined): { agent(): AgentProcess; api(): ConsulApi } {
  const scope = fileScope((fn) => test.after.always(fn));
  let agent: AgentProcess | undefined;
  let api: ConsulApi | undefined;
  test.before(async () => {
    agent = await startAgent(scope);
    api = new ConsulApi({ address: agent.httpAddr });
    await setup(api);
  });
  return { agent: () => agent as AgentProcess, api: () => api as ConsulApi };
}
