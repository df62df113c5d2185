import type { AppliedEntry, StateMachine } from '../src/index.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A tiny key-value state machine for driver tests: commands are `key=value`. */
export class KvMachine implements StateMachine<number> {
  map = new Map<string, string>();
  appliedIndex = 0;

  apply(e: AppliedEntry): number {
    const [k, v] = dec.decode(e.data).split('=');
    this.map.set(k!, v ?? '');
    this.appliedIndex = e.index;
    return this.map.size;
  }

  snapshot(): Uint8Array {
    return enc.encode(JSON.stringify([...this.map]));
  }

  restore(data: Uint8Array, meta: { index: number }): void {
    this.map = new Map(JSON.parse(dec.decode(data)) as [string, string][]);
    this.appliedIndex = meta.index;
  }
}

export const cmd = (s: string): Uint8Array => enc.encode(s);

export async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Proposes `k<n>=<n>` for n = 1, 2, ... from `width` concurrent writers, without pause and for
 * ever (a child process does this until it is killed), reporting each acknowledged write.
 */
export async function writeWithoutPause(
  node: { propose(data: Uint8Array): Promise<{ index: number }> },
  width: number,
  acked: (index: number, value: number) => void,
): Promise<void> {
  let seq = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const v = ++seq;
      const r = await node.propose(cmd(`k${v}=${v}`));
      acked(r.index, v);
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
}
