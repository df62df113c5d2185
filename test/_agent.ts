/**
 * Starts a real `concord agent -dev` as a child process on ephemeral ports,
 * reads the ports from its startup banner, and stops it by PID at teardown.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ExecutionContext } from 'ava';

/** Repository root (this file runs from test/dist/). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = fileURLToPath(new URL('../../packages/cli/bin/concord.js', import.meta.url));

export interface DevAgent {
  readonly node: string;
  readonly httpAddr: string;
  /** The DNS port, or -1 when the agent serves no DNS. */
  readonly dnsPort: number;
  output(): string;
}

const BANNER_RE = /Client Addr: .*\(HTTP: (\d+).*DNS: (-?\d+)\)/;

export async function startDevAgent(t: ExecutionContext, options: { dns?: boolean } = {}): Promise<DevAgent> {
  const node = `node-${process.pid}-${Date.now().toString(36)}`;
  const args = [
    BIN,
    'agent',
    '-dev',
    '-node',
    node,
    '-http-port',
    '0',
    '-dns-port',
    options.dns ? '0' : '-1',
    '-server-port',
    '0',
    '-serf-lan-port',
    '0',
  ];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  t.teardown(async () => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const pid = child.pid;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    process.kill(pid, 'SIGTERM');
    const timer = setTimeout(() => {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 3000);
    await exited;
    clearTimeout(timer);
  });
  const [http, dns] = await new Promise<[number, number]>((resolve, reject) => {
    const timer = setTimeout(() => {
      done();
      reject(new Error(`agent did not print its ports within 60 s; output:\n${output.slice(-4000)}`));
    }, 60_000);
    const onData = (): void => {
      const m = BANNER_RE.exec(output);
      if (m) {
        done();
        resolve([Number(m[1]), Number(m[2])]);
      }
    };
    const onExit = (code: number | null): void => {
      done();
      reject(new Error(`agent exited with ${code} before listening; output:\n${output.slice(-4000)}`));
    };
    const done = (): void => {
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.off('exit', onExit);
    };
    child.stdout.on('data', onData);
    child.on('exit', onExit);
    onData();
  });
  return { node, httpAddr: `127.0.0.1:${http}`, dnsPort: dns, output: () => output };
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the `concord` binary against the agent at `addr` (CONSUL_HTTP_ADDR). */
export function concord(args: readonly string[], addr: string): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, CONSUL_HTTP_ADDR: addr };
  delete env.CONCORD_HTTP_ADDR;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
