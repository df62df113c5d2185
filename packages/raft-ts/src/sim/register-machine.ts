import type { AppliedEntry, SnapshotPieces, StateMachine } from '../driver/state-machine.js';

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
  /** With `asyncSnapshots`, snapshots are captured as pieces encoded later (see `StateMachine.snapshotPieces`). */
  readonly snapshotPieces: (() => SnapshotPieces) | undefined;

  constructor(asyncSnapshots = false) {
    this.snapshotPieces = asyncSnapshots ? () => this.#capture() : undefined;
  }

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

  /**
   * The registers as they are now (numbers: copying the pairs is the whole capture), encoded
   * only as the pieces are taken, one register per piece, while the node goes on applying.
   */
  #capture(): Iterable<Uint8Array> {
    const pairs = [...this.values.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    return (function* encode(): Generator<Uint8Array> {
      yield enc.encode('[');
      for (const [i, pair] of pairs.entries()) yield enc.encode(`${i === 0 ? '' : ','}${JSON.stringify(pair)}`);
      yield enc.encode(']');
    })();
  }

  restore(data: Uint8Array): void {
    this.values = new Map(data.byteLength === 0 ? [] : (JSON.parse(dec.decode(data)) as [string, number][]));
  }
}
