/**
 * Runs the Python scripts in test/python/ with Debian's python3 (python3-consul, patroni) against
 * an agent, and tells whether those packages are importable. The scripts check the behaviour
 * themselves, exit non-zero with the failed check on stderr, and print one JSON summary line.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { type CliResult, ROOT, runProcess } from '@concord/testkit';

/** Debian's interpreter, where python3-consul and patroni are installed (not a pyenv shim). */
const PYTHON = spawnSync('/usr/bin/python3', ['--version']).error ? 'python3' : '/usr/bin/python3';

/** Whether `python3` can import every one of `modules`. */
export function canImport(...modules: string[]): boolean {
  const res = spawnSync(PYTHON, ['-c', modules.map((m) => `import ${m}`).join('; ')], { stdio: 'ignore', timeout: 30_000 });
  return !res.error && res.status === 0;
}

/** Runs test/python/<script> with `args`, killing it by PID after `timeoutMs`. */
export function runPython(script: string, args: readonly string[], timeoutMs = 90_000): Promise<CliResult> {
  return runProcess(PYTHON, ['-u', join(ROOT, 'test', 'python', script), ...args], {
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    timeoutMs,
  });
}

/** The last line of a script's stdout, parsed as JSON; throws with the script's output otherwise. */
export function summaryOf<T>(res: CliResult): T {
  if (res.code !== 0) throw new Error(`python exited ${res.code}\nstdout:\n${res.stdout.slice(-4000)}\nstderr:\n${res.stderr.slice(-4000)}`);
  const last = res.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as T;
}
