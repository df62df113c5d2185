import { Level } from 'level';
import { type CommandLog, LogClosedError, type LogStateMachine, type Proposal } from './command-log.js';

interface Pending {
  index: number;
  data: Uint8Array;
  resolve: (p: Proposal) => void;
  reject: (err: Error) => void;
}

export interface LevelLogOptions {
  /** Directory of the LevelDB database. */
  path: string;
  /** Take a snapshot and compact once this many entries follow the last snapshot. */
  snapshotThreshold?: number;
}

const SNAPSHOT_INDEX = 'snapshot-index';
const SNAPSHOT_DATA = 'snapshot-data';

function key(index: number): Uint8Array {
  const buf = Buffer.allocUnsafe(8);
  buf.writeBigUInt64BE(BigInt(index));
  return buf;
}

/**
 * A durable single-node log on `level`. Proposals that arrive while a write is in flight are
 * written together in the next `{sync: true}` batch (group commit), then applied in order.
 * An acknowledged proposal has been synced to disk, so it survives `kill -9`.
 */
export class LevelLog implements CommandLog {
  readonly #db: Level<Uint8Array, Uint8Array>;
  readonly #threshold: number;
  #sm: LogStateMachine | undefined;
  #nextIndex = 1;
  #snapshotIndex = 0;
  #queue: Pending[] = [];
  #writing = false;
  #closed = false;
  #compacting: Promise<void> | undefined;

  constructor(options: LevelLogOptions) {
    this.#db = new Level<Uint8Array, Uint8Array>(options.path, { keyEncoding: 'view', valueEncoding: 'view' });
    this.#threshold = options.snapshotThreshold ?? 16_384;
  }

  #log() {
    return this.#db.sublevel<Uint8Array, Uint8Array>('log', { keyEncoding: 'view', valueEncoding: 'view' });
  }

  #meta() {
    return this.#db.sublevel<string, Uint8Array>('meta', { keyEncoding: 'utf8', valueEncoding: 'view' });
  }

  async open(sm: LogStateMachine): Promise<void> {
    await this.#db.open();
    this.#sm = sm;
    const meta = this.#meta();
    const snapIndexRaw = await meta.get(SNAPSHOT_INDEX);
    if (snapIndexRaw) {
      this.#snapshotIndex = Number(Buffer.from(snapIndexRaw).readBigUInt64BE());
      const data = await meta.get(SNAPSHOT_DATA);
      if (!data) throw new Error(`snapshot ${this.#snapshotIndex} is missing its data`);
      sm.restore(this.#snapshotIndex, data);
    }
    let last = this.#snapshotIndex;
    for await (const [k, v] of this.#log().iterator({ gt: key(this.#snapshotIndex) })) {
      const index = Number(Buffer.from(k).readBigUInt64BE());
      if (index !== last + 1) throw new Error(`log gap: entry ${index} follows ${last}`);
      sm.apply(index, v);
      last = index;
    }
    this.#nextIndex = last + 1;
  }

  /** Index of the last entry handed out. */
  get lastIndex(): number {
    return this.#nextIndex - 1;
  }

  propose(data: Uint8Array): Promise<Proposal> {
    if (this.#closed || !this.#sm) return Promise.reject(new LogClosedError());
    return new Promise<Proposal>((resolve, reject) => {
      this.#queue.push({ index: this.#nextIndex++, data, resolve, reject });
      if (!this.#writing) void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    this.#writing = true;
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue;
        this.#queue = [];
        const log = this.#log();
        try {
          await this.#db.batch(
            batch.map((p) => ({ type: 'put' as const, sublevel: log, key: key(p.index), value: p.data })),
            { sync: true },
          );
        } catch (err) {
          // Nothing of this batch is acknowledged; later proposals must not leave a gap.
          for (const p of batch) p.reject(err as Error);
          for (const p of this.#queue) p.reject(err as Error);
          this.#queue = [];
          this.#nextIndex = batch[0]?.index ?? this.#nextIndex;
          continue;
        }
        const sm = this.#sm as LogStateMachine;
        for (const p of batch) {
          let result: unknown;
          try {
            result = sm.apply(p.index, p.data);
          } catch (err) {
            p.reject(err as Error);
            continue;
          }
          p.resolve({ index: p.index, result });
        }
        const last = (batch[batch.length - 1] as Pending).index;
        if (last - this.#snapshotIndex >= this.#threshold) await this.#snapshot(last);
      }
    } finally {
      this.#writing = false;
    }
  }

  async #snapshot(index: number): Promise<void> {
    const data = (this.#sm as LogStateMachine).snapshot();
    const meta = this.#meta();
    await this.#db.batch(
      [
        { type: 'put', sublevel: meta, key: SNAPSHOT_DATA, value: data },
        { type: 'put', sublevel: meta, key: SNAPSHOT_INDEX, value: key(index) },
      ],
      { sync: true },
    );
    this.#snapshotIndex = index;
    // Entries at or below the snapshot are ignored on replay, so removing them need not be atomic.
    const upTo = key(index);
    this.#compacting = (this.#compacting ?? Promise.resolve()).then(() => this.#log().clear({ lte: upTo })).catch(() => {});
  }

  /** Forces a snapshot of everything applied so far (used by `snapshot save` and tests). */
  async compact(): Promise<void> {
    if (this.lastIndex > this.#snapshotIndex) await this.#snapshot(this.lastIndex);
  }

  isLeader(): boolean {
    return true;
  }

  async close(): Promise<void> {
    this.#closed = true;
    while (this.#writing) await new Promise((r) => setTimeout(r, 5));
    await this.#compacting;
    await this.#db.close();
  }
}
