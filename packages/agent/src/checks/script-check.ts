import { spawn } from 'node:child_process';
import { formatDuration } from '@concord/goflags';
import type { CheckResult, Probe } from './types.js';
import { errorText } from './types.js';

/** Keeps the last `limit` bytes of a stream, counting all of them (like Consul's circular buffer). */
export class TailBuffer {
  #chunks: Buffer[] = [];
  #kept = 0;
  total = 0;
  constructor(readonly limit: number) {}

  write(chunk: Buffer): void {
    this.total += chunk.length;
    this.#chunks.push(chunk);
    this.#kept += chunk.length;
    while (this.#kept - (this.#chunks[0]?.length ?? 0) >= this.limit && this.#chunks.length > 1) {
      this.#kept -= (this.#chunks.shift() as Buffer).length;
    }
  }

  toString(): string {
    const all = Buffer.concat(this.#chunks);
    const tail = all.subarray(Math.max(0, all.length - this.limit));
    if (this.total > this.limit) return `Captured ${this.limit} of ${this.total} bytes\n...\n${tail.toString('utf8')}`;
    return tail.toString('utf8');
  }
}

/** The command a script check runs: `Args` as argv, or a legacy `Script` string through the shell. */
export function scriptCommand(spec: Record<string, unknown>): string[] {
  if (Array.isArray(spec.Args) && spec.Args.length > 0) return spec.Args.map(String);
  if (typeof spec.Script === 'string' && spec.Script) {
    return process.platform === 'win32' ? ['cmd', '/C', spec.Script] : ['/bin/sh', '-c', spec.Script];
  }
  return [];
}

/** A script check: exit 0 passing, 1 warning, anything else critical; killed at the timeout. */
export function scriptProbe(argv: readonly string[]): Probe {
  return (ctx) =>
    new Promise<CheckResult>((resolve) => {
      const [file, ...args] = argv;
      if (!file) {
        resolve({ status: 'critical', output: 'script check has no command' });
        return;
      }
      const out = new TailBuffer(ctx.outputMaxSize);
      let finished = false;
      let timedOut = false;
      const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: process.platform !== 'win32' });
      const kill = (): void => {
        try {
          if (child.pid !== undefined && process.platform !== 'win32') process.kill(-child.pid, 'SIGKILL');
          else child.kill('SIGKILL');
        } catch {
          // already gone
        }
      };
      const onAbort = (): void => {
        timedOut = true;
        kill();
      };
      const done = (r: CheckResult): void => {
        if (finished) return;
        finished = true;
        ctx.signal.removeEventListener('abort', onAbort);
        resolve(r);
      };
      if (ctx.signal.aborted) onAbort();
      else ctx.signal.addEventListener('abort', onAbort);
      child.stdout?.on('data', (c: Buffer) => out.write(c));
      child.stderr?.on('data', (c: Buffer) => out.write(c));
      child.on('error', (err) => done({ status: 'critical', output: `Failed to invoke: ${errorText(err)}` }));
      child.on('close', (code, signal) => {
        if (timedOut) {
          done({ status: 'critical', output: `Timed out (${formatDuration(ctx.timeoutMs)}) running check` });
          return;
        }
        const output = out.toString();
        if (code === 0) done({ status: 'passing', output });
        else if (code === 1) done({ status: 'warning', output });
        else done({ status: 'critical', output: output || `exit ${code ?? signal}` });
      });
    });
}
