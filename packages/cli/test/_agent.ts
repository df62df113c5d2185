/**
 * Test helpers: start a real `-dev` agent as a child process on ephemeral
 * ports, and run the `concord` binary against it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Repository root (this file runs from packages/cli/dist/test/). */
export const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const BIN = fileURLToPath(new URL('../../../../packages/cli/bin/concord.js', import.meta.url));

export interface RunningAgent {
  readonly node: string;
  readonly httpPort: number;
  /** `127.0.0.1:<port>`, for CONSUL_HTTP_ADDR. */
  readonly httpAddr: string;
  readonly pid: number;
  /** Everything the agent printed so far (for failure messages). */
  output(): string;
  /** Stops the agent by PID (SIGTERM, then SIGKILL after 3 s). */
  stop(): Promise<void>;
}

let seq = 0;

export function uniqueName(prefix: string): string {
  seq += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${seq}`;
}

const CLIENT_ADDR_RE = /Client Addr: .*\(HTTP: (\d+)/;

/**
 * Starts `concord agent -dev` and resolves once its banner shows the HTTP port.
 * The caller stops it (`test.after.always`); if the test process exits first,
 * the child is killed by PID.
 */
export async function startAgent(extraArgs: readonly string[] = []): Promise<RunningAgent> {
  const node = uniqueName('node');
  const args = [
    BIN,
    'agent',
    '-dev',
    '-node',
    node,
    '-http-port',
    '0',
    '-dns-port',
    '-1',
    '-server-port',
    '0',
    '-serf-lan-port',
    '0',
    ...extraArgs,
  ];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const killOnExit = (): void => {
    if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
  };
  process.once('exit', killOnExit);
  const stop = async (): Promise<void> => {
    process.off('exit', killOnExit);
    await stopChild(child);
  };

  const ready = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`agent did not print its HTTP port within 60 s; output:\n${output.slice(-4000)}`));
    }, 60_000);
    const onData = (): void => {
      const m = CLIENT_ADDR_RE.exec(output);
      if (m) {
        cleanup();
        resolve(Number(m[1]));
      }
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`agent exited with ${code} before listening; output:\n${output.slice(-4000)}`));
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
    };
    child.stdout?.on('data', onData);
    child.on('exit', onExit);
    onData();
  });
  let port: number;
  try {
    port = await ready;
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    node,
    httpPort: port,
    httpAddr: `127.0.0.1:${port}`,
    pid: child.pid as number,
    output: () => output,
    stop,
  };
}

/** SIGTERM by PID, SIGKILL after 3 s; resolves when the child is gone. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const pid = child.pid;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }, 3000);
  await exited;
  clearTimeout(timer);
}

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
}

/** Runs `node packages/cli/bin/concord.js ...args` and collects its output. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  delete env.CONCORD_HTTP_ADDR;
  delete env.CONSUL_HTTP_ADDR;
  if (options.addr) env.CONSUL_HTTP_ADDR = options.addr;
  if (options.env) Object.assign(env, options.env);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      reject(new Error(`concord ${args.join(' ')} did not finish within 20 s`));
    }, 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? '');
  });
}
