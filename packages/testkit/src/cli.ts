import { spawn } from 'node:child_process';
import { BIN, ROOT } from './paths.js';

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  /** Agent address put in CONSUL_HTTP_ADDR. */
  readonly addr?: string;
  readonly stdin?: string | Buffer;
  readonly env?: Readonly<Record<string, string>>;
  /** Killed (and the promise rejected) after this many ms. Default 30,000. */
  readonly timeoutMs?: number;
  /** Working directory (default: the repository root). */
  readonly cwd?: string;
}

/**
 * Runs `node packages/cli/bin/concord.js ...args` and collects its output. CONCORD_HTTP_ADDR and
 * CONSUL_HTTP_ADDR of the test process are not passed on; `addr` sets the latter.
 */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.CONCORD_HTTP_ADDR;
  delete env.CONSUL_HTTP_ADDR;
  if (options.addr) env.CONSUL_HTTP_ADDR = options.addr;
  if (options.env) Object.assign(env, options.env);
  return runProcess(process.execPath, [BIN, ...args], { ...options, env, what: `concord ${args.join(' ')}` });
}

export interface ProcessOptions {
  readonly stdin?: string | Buffer;
  /** The whole environment of the child (the test process's by default). */
  readonly env?: NodeJS.ProcessEnv;
  /** Killed by PID (and the promise rejected) after this many ms. Default 30,000. */
  readonly timeoutMs?: number;
  /** Working directory (default: the repository root). */
  readonly cwd?: string;
  /** How the timeout error names the command. */
  readonly what?: string;
}

/** Runs `file ...args` to completion and collects its exit code, stdout and stderr. */
export function runProcess(file: string, args: readonly string[], options: ProcessOptions = {}): Promise<CliResult> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const child = spawn(file, [...args], { cwd: options.cwd ?? ROOT, env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      reject(new Error(`${options.what ?? file} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? '');
  });
}
