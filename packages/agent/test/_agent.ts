/**
 * Runs a real `concord agent` child process on ephemeral ports for HTTP tests: in memory
 * (`-dev`) or durable (`-server -bootstrap-expect=1 -data-dir <dir>`). The HTTP port is read
 * from the startup banner; the process is stopped by PID at teardown (SIGTERM, then SIGKILL).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Something that runs cleanups later: an ava ExecutionContext, or a per-file scope. */
export interface Scope {
  teardown(fn: () => unknown): void;
}

/**
 * A scope whose cleanups run in `test.after.always`, for one agent shared by a whole file:
 * `const scope = fileScope((fn) => test.after.always(fn));`
 */
export function fileScope(registerAfter: (fn: () => Promise<void>) => void): Scope {
  const fns: (() => unknown)[] = [];
  registerAfter(async () => {
    for (const fn of fns.reverse()) await fn();
  });
  return { teardown: (fn) => void fns.push(fn) };
}

/** Repository root (this file runs from packages/agent/dist/test/). */
export const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const BIN = join(ROOT, 'packages/cli/bin/concord.js');

const BANNER_RE = /Client Addr: \[[^\]]*\] \(HTTP: (\d+), HTTPS: -?\d+, gRPC: -?\d+, DNS: (-?\d+)\)/;
const START_TIMEOUT_MS = 60_000;
const KILL_GRACE_MS = 3_000;

export interface AgentOptions {
  /** Durable server on a data dir instead of `-dev`. */
  durable?: boolean;
  /** Data dir to reuse (durable only); a fresh temp dir otherwise, removed at teardown. */
  dataDir?: string;
  /** Node name; unique per process by default. */
  node?: string;
  extraArgs?: string[];
}

export interface AgentProcess {
  readonly node: string;
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  readonly pid: number;
  readonly dataDir: string | undefined;
  readonly child: ChildProcess;
  /** Everything the child printed so far (stdout and stderr). */
  output(): string;
  /** Sends a signal and waits for the process to exit; returns its exit code or signal. */
  stop(signal?: NodeJS.Signals): Promise<number | NodeJS.Signals | null>;
}

let counter = 0;

/** A temp directory removed at teardown. */
export function tempDir(t: Scope, prefix = 'concord-agent-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function exitOf(child: ChildProcess): Promise<number | NodeJS.Signals | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  if (child.signalCode !== null) return Promise.resolve(child.signalCode);
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<number | NodeJS.Signals | null> {
  const exited = exitOf(child);
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return exited;
  const pid = child.pid;
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
  const timer = setTimeout(() => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }, KILL_GRACE_MS);
  const out = await exited;
  clearTimeout(timer);
  return out;
}

export async function startAgent(t: Scope, options: AgentOptions = {}): Promise<AgentProcess> {
  counter += 1;
  const node = options.node ?? `agent-${process.pid}-${counter}-${Date.now().toString(36)}`;
  let dataDir: string | undefined;
  const args = [BIN, 'agent'];
  if (options.durable) {
    dataDir = options.dataDir ?? tempDir(t);
    args.push('-server', '-bootstrap-expect=1', '-data-dir', dataDir);
  } else {
    args.push('-dev');
  }
  args.push('-node', node, '-http-port', '0', '-dns-port', '-1', '-server-port', '0', '-serf-lan-port', '0');
  args.push(...(options.extraArgs ?? []));
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  t.teardown(() => stopChild(child, 'SIGTERM').then(() => undefined));

  const port = await new Promise<number>((resolve, reject) => {
    const onData = (): void => {
      const m = BANNER_RE.exec(output);
      if (m) {
        done();
        resolve(Number(m[1]));
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      done();
      reject(new Error(`agent exited (${code ?? signal}) before listening; output:\n${output.slice(-4000)}`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`agent did not print its HTTP port within ${START_TIMEOUT_MS} ms; output:\n${output.slice(-4000)}`));
    }, START_TIMEOUT_MS);
    const done = (): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    onData();
  });

  return {
    node,
    port,
    base: `http://127.0.0.1:${port}`,
    pid: child.pid as number,
    dataDir,
    child,
    output: () => output,
    stop: (signal: NodeJS.Signals = 'SIGTERM') => stopChild(child, signal),
  };
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON (throws when it is not JSON). */
  json<T = any>(): T;
}

/** A raw HTTP request against the agent. */
export async function call(
  agent: { base: string },
  method: string,
  path: string,
  body?: string | Buffer | object,
  headers: Record<string, string> = {},
): Promise<Reply> {
  let payload: string | Buffer | undefined;
  if (body === undefined || typeof body === 'string' || Buffer.isBuffer(body)) payload = body as string | Buffer | undefined;
  else payload = JSON.stringify(body);
  const res = await fetch(agent.base + path, {
    method,
    headers,
    ...(payload === undefined ? {} : { body: payload }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    json: <T>() => JSON.parse(text) as T,
  };
}

/** Waits until `probe` returns a truthy value, polling every `everyMs`; fails after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs: number,
  what: string,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
