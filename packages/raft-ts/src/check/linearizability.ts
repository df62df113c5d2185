/**
 * A linearizability checker after Wing & Gong, with Lowe's memoization, as Porcupine implements
 * it: the history becomes a linked list of call and return events; the search linearizes a pending
 * call whose model step succeeds, backtracks when it reaches a return event it cannot pass, and
 * prunes states already seen (same set of linearized operations, same model state).
 */

export interface Model<S, I, O> {
  init(): S;
  /** Apply `input` to `state`. `output` is undefined when the outcome is unknown (timed out). */
  step(state: S, input: I, output: O | undefined): { ok: boolean; next: S };
  /** A stable string form of a state, for the memo cache. */
  key(state: S): string;
  /** Split a history into independent sub-histories (e.g. one per register). */
  partition?(input: I): string;
}

export interface Operation<I, O> {
  readonly clientId: number;
  readonly input: I;
  /** undefined when the outcome is unknown; then `ret` must be Infinity. */
  readonly output: O | undefined;
  readonly call: number;
  readonly ret: number;
}

export type CheckResult = 'ok' | 'illegal' | 'unknown';

export interface CheckReport {
  readonly result: CheckResult;
  /** Partition keys whose sub-history is not linearizable (or ran out of budget). */
  readonly failedPartitions: readonly string[];
}

interface Node {
  readonly id: number;
  readonly isCall: boolean;
  match: Node | undefined;
  prev: Node | undefined;
  next: Node | undefined;
}

class Bitset {
  readonly words: Uint32Array;
  constructor(n: number) {
    this.words = new Uint32Array(Math.ceil(n / 32) || 1);
  }
  set(i: number): void {
    this.words[i >>> 5]! |= 1 << (i & 31);
  }
  clear(i: number): void {
    this.words[i >>> 5]! &= ~(1 << (i & 31));
  }
  key(): string {
    return this.words.join(',');
  }
}

function buildList<I, O>(ops: readonly Operation<I, O>[]): Node {
  const events: { time: number; isCall: boolean; id: number }[] = [];
  ops.forEach((op, id) => {
    events.push({ time: op.call, isCall: true, id });
    events.push({ time: op.ret, isCall: false, id });
  });
  // Calls sort before returns at equal times: touching operations count as concurrent.
  events.sort((a, b) => a.time - b.time || (a.isCall === b.isCall ? a.id - b.id : a.isCall ? -1 : 1));
  const head: Node = { id: -1, isCall: false, match: undefined, prev: undefined, next: undefined };
  const calls = new Map<number, Node>();
  let last = head;
  for (const ev of events) {
    const node: Node = { id: ev.id, isCall: ev.isCall, match: undefined, prev: last, next: undefined };
    if (ev.isCall) calls.set(ev.id, node);
    else calls.get(ev.id)!.match = node;
    last.next = node;
    last = node;
  }
  return head;
}

function lift(call: Node): void {
  call.prev!.next = call.next;
  call.next!.prev = call.prev;
  const ret = call.match!;
  ret.prev!.next = ret.next;
  if (ret.next) ret.next.prev = ret.prev;
}

function unlift(call: Node): void {
  const ret = call.match!;
  ret.prev!.next = ret;
  if (ret.next) ret.next.prev = ret;
  call.prev!.next = call;
  call.next!.prev = call;
}

/** Check one (sub-)history. `budget` bounds the search steps; exhausting it answers 'unknown'. */
export function checkOperations<S, I, O>(model: Model<S, I, O>, ops: readonly Operation<I, O>[], budget = 1_000_000): CheckResult {
  if (ops.length === 0) return 'ok';
  const head = buildList(ops);
  const linearized = new Bitset(ops.length);
  const cache = new Set<string>();
  const stack: { call: Node; state: S }[] = [];
  let state = model.init();
  let entry = head.next;
  while (head.next !== undefined) {
    if (--budget < 0) return 'unknown';
    if (entry === undefined) return 'illegal';
    if (entry.isCall) {
      const op = ops[entry.id]!;
      const res = model.step(state, op.input, op.output);
      if (res.ok) {
        linearized.set(entry.id);
        const key = `${linearized.key()}|${model.key(res.next)}`;
        if (!cache.has(key)) {
          cache.add(key);
          stack.push({ call: entry, state });
          state = res.next;
          lift(entry);
          entry = head.next;
          continue;
        }
        linearized.clear(entry.id);
      }
      entry = entry.next;
    } else {
      const top = stack.pop();
      if (!top) return 'illegal';
      state = top.state;
      linearized.clear(top.call.id);
      unlift(top.call);
      entry = top.call.next;
    }
  }
  return 'ok';
}

/** Check a whole history, partitioned when the model supports it. */
export function checkHistory<S, I, O>(model: Model<S, I, O>, ops: readonly Operation<I, O>[], budgetPerPartition = 1_000_000): CheckReport {
  const parts = new Map<string, Operation<I, O>[]>();
  for (const op of ops) {
    const k = model.partition ? model.partition(op.input) : '';
    let list = parts.get(k);
    if (!list) parts.set(k, (list = []));
    list.push(op);
  }
  const failed: string[] = [];
  let result: CheckResult = 'ok';
  for (const k of [...parts.keys()].sort()) {
    const r = checkOperations(model, parts.get(k)!, budgetPerPartition);
    if (r === 'illegal') result = 'illegal';
    else if (r === 'unknown' && result === 'ok') result = 'unknown';
    if (r !== 'ok') failed.push(k);
  }
  return { result, failedPartitions: failed };
}
