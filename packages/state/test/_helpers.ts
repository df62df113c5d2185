import type { ApplyResult, Command, KvEntry, KvOp, NodeRegistration, SessionCreate, TxnOp, TxnResult, TxnResultItem } from '../src/index.js';
import { StateStore } from '../src/index.js';

export const b64 = (s: string) => Buffer.from(s).toString('base64');
/** The KV entry of a txn result, if it is one. */
export const kvOf = (x: TxnResultItem | undefined): KvEntry | undefined => (x && 'KV' in x ? x.KV : undefined);
export const text = (v: string | null | undefined) => (v == null ? '' : Buffer.from(v, 'base64').toString());

/** A store that applies commands at consecutive indexes and remembers the last index used. */
export class Harness {
  readonly store: StateStore;
  index = 0;
  /** Wall-clock ms carried by commands (lock-delays). */
  time = 1_000_000;

  constructor(store = new StateStore({ datacenter: 'dc1' })) {
    this.store = store;
  }

  apply(command: Command): ApplyResult {
    return this.store.apply(++this.index, { time: this.time, ...command });
  }

  kv(op: KvOp, time?: number): ApplyResult {
    return this.apply({ type: 'kv', op, ...(time === undefined ? {} : { time }) });
  }

  set(key: string, value: string, flags?: number): { index: number; result: ApplyResult } {
    const result = this.kv({ Verb: 'set', Key: key, Value: b64(value), ...(flags === undefined ? {} : { Flags: flags }) });
    return { index: this.index, result };
  }

  get(key: string): KvEntry | undefined {
    return this.store.kvGet(key).value;
  }

  txn(ops: (TxnOp | KvOp)[]): TxnResult {
    const r = this.apply({ type: 'txn', ops });
    if (r.error) throw r.error;
    return r.value as TxnResult;
  }

  node(name: string, extra: Partial<NodeRegistration> = {}): ApplyResult {
    return this.apply({ type: 'register', reg: { Node: name, Address: `10.0.0.${name.length}`, ...extra } });
  }

  /** A node with a passing serfHealth check, like every agent-managed node. */
  agentNode(name: string): void {
    this.node(name, { Check: { CheckID: 'serfHealth', Name: 'Serf Health Status', Status: 'passing' } });
  }

  session(id: string, node: string, over: Partial<SessionCreate> = {}): ApplyResult {
    return this.apply({
      type: 'session-create',
      session: {
        ID: id,
        Node: node,
        LockDelay: 15_000_000_000,
        Behavior: 'release',
        TTL: '',
        NodeChecks: null,
        ServiceChecks: null,
        ...over,
      },
    });
  }
}

/** Records how many times a watch fired. */
export function watchCount(store: StateStore, topics: readonly string[]): { fired: () => number; cancel: () => void } {
  let n = 0;
  const cancel = store.watch(topics, () => n++);
  return { fired: () => n, cancel };
}
