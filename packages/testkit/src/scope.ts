import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

/** A temp directory removed at teardown. */
export function tempDir(t: Scope, prefix = 'concord-agent-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

let counter = 0;

/** A name unique to this test process. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

export const sleep = (ms: number): Promise<void> => new Promise<void>((r) => setTimeout(r, ms));

/** Waits until `probe` returns a truthy value, polling every `everyMs`; fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined | null | false>, timeoutMs: number, what: string, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
