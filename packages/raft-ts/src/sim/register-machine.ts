import type { AppliedEntry, StateMachine } from '../driver/state-machine.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A client command on the simulated registers. */
export type Command =
  | { readonly op: 'write'; readonly key: string; readonly value: number }
  | { readonly op: 'cas'; readonly key: string; readonly from: number | null; readonly to: number };

export function encodeCommand(c: Command): Uint8Array {
  return enc.encode(JSON.stringify(c));
}

/** The simulator's replicated state machine: a few registers holding numbers. `apply` answers whether the command took effect. */
export class RegisterMachine implements StateMachine<boolean> {
  values = new Map<string, number>();

  apply(e: AppliedEntry): boolean {
    const c = JSON.parse(dec.decode(e.data)) as Command;
    if (c.op === 'write') {
      this.values.set(c.key, c.value);
      return true;
    }
    const cur = this.values.get(c.key) ?? null;
    if (cur !== c.from) return false;
    this.values.set(c.key, c.to);
    return true;
  }

  read(key: string): number | null {
    return this.values.get(key) ?? null;
  }

  snapshot(): Uint8Array {
    const pairs = [...this.values.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    return enc.encode(JSON.stringify(pairs));
  }

  restore(data: Uint8Array): void {
    this.values = new Map(data.byteLength === 0 ? [] : (JSON.parse(dec.decode(data)) as [string, number][]));
  }
}
