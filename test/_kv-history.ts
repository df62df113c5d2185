/**
 * Load for the multi-process tests: writers that put and read integer registers over HTTP and
 * record every operation for the linearizability checker of raft-ts. A write that fails or times
 * out has an unknown outcome (it may still have been applied), never a failure by itself.
 */
import { performance } from 'node:perf_hooks';
import { type Operation, type RegisterInput, type RegisterOutput, checkHistory, registerModel } from 'raft-ts/sim';
import { getText } from './_process-cluster.js';

export type KvOp = Operation<RegisterInput, RegisterOutput>;

export interface WriterStats {
  acked: number;
  failed: number;
  reads: number;
}

/** Why a write was not acknowledged: the HTTP status and body, or the request's error. */
export interface WriteFailure {
  readonly key: string;
  readonly call: number;
  readonly ret: number;
  readonly status: number | undefined;
  readonly reason: string;
}

export class KvHistory {
  readonly ops: KvOp[] = [];
  readonly failures: WriteFailure[] = [];
  /** Every acknowledged write: key → values acknowledged, in order. */
  readonly acked = new Map<string, number[]>();
  readonly stats: WriterStats = { acked: 0, failed: 0, reads: 0 };
  readonly #prefix: string;

  constructor(prefix: string) {
    this.#prefix = prefix;
  }

  keyPath(key: string): string {
    return `/v1/kv/${this.#prefix}/${key}`;
  }

  async write(clientId: number, port: number | string, key: string, value: number): Promise<boolean> {
    const call = performance.now();
    let status: number | undefined;
    let reason: string;
    try {
      const r = await getText(port, this.keyPath(key), { method: 'PUT', body: String(value) }, 10_000);
      status = r.status;
      reason = r.text;
      if (r.status === 200 && r.text === 'true') {
        this.ops.push({ clientId, input: { kind: 'write', key, value }, output: true, call, ret: performance.now() });
        const list = this.acked.get(key) ?? [];
        list.push(value);
        this.acked.set(key, list);
        this.stats.acked++;
        return true;
      }
    } catch (err) {
      reason = String(err);
    }
    this.failures.push({ key, call, ret: performance.now(), status, reason });
    this.ops.push({ clientId, input: { kind: 'write', key, value }, output: undefined, call, ret: Number.POSITIVE_INFINITY });
    this.stats.failed++;
    return false;
  }

  /** A `?consistent` read; a failed read is left out of the history (it changed nothing). */
  async read(clientId: number, port: number | string, key: string): Promise<void> {
    const call = performance.now();
    try {
      const r = await getText(port, `${this.keyPath(key)}?raw&consistent`, {}, 10_000);
      const ret = performance.now();
      if (r.status === 404) this.ops.push({ clientId, input: { kind: 'read', key }, output: null, call, ret });
      else if (r.status === 200) this.ops.push({ clientId, input: { kind: 'read', key }, output: Number(r.text), call, ret });
      else return;
      this.stats.reads++;
    } catch {
      // no effect to record
    }
  }

  /** Runs `writers` loops until `stop()` says so; each writer targets `port(writer)`. */
  async run(writers: number, keys: readonly string[], port: (writer: number) => number | string, stop: () => boolean): Promise<void> {
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        let seq = 0;
        while (!stop()) {
          const key = keys[(w + seq) % keys.length] as string;
          seq++;
          if (seq % 3 === 0) await this.read(w, port(w), key);
          else await this.write(w, port(w), key, w * 1_000_000 + seq);
        }
      }),
    );
  }

  check(): ReturnType<typeof checkHistory> {
    return checkHistory(registerModel, this.ops);
  }
}
