/**
 * The `-dev` command log: a raft-ts node that is the only voter of its cluster, over MemoryStorage
 * and without peers. A dev agent's writes take the same path as a server's (propose, commit,
 * apply, snapshot and compaction) with nothing on disk; nothing survives a restart.
 */
import type { Logger } from 'pino';
import { MemoryStorage, RaftNode, type Transport } from 'raft-ts';
import { type CommandLog, LogClosedError, type LogStateMachine, type Proposal } from './command-log.js';

/** A single voter never sends a message, and no one sends it one. */
const NO_PEERS: Transport = {
  start: async () => {},
  send: () => {},
  close: async () => {},
};

export interface SingleVoterLogOptions {
  /** The node's raft ID (its node ID). */
  id: string;
  logger: Logger;
  tickMs?: number;
  snapshotThreshold?: number;
  trailingLogs?: number;
}

export class SingleVoterLog<R> implements CommandLog<R> {
  readonly #o: SingleVoterLogOptions;
  #node: RaftNode<R> | undefined;
  #closed = false;

  constructor(o: SingleVoterLogOptions) {
    this.#o = o;
  }

  /** Starts the node as the sole voter and resolves once it leads and has applied its first entry. */
  async open(sm: LogStateMachine<R>): Promise<void> {
    const node = await RaftNode.start<R>({
      id: this.#o.id,
      storage: new MemoryStorage(),
      transport: NO_PEERS,
      stateMachine: {
        apply: (e) => sm.apply(e.index, e.data),
        snapshot: () => sm.snapshot(),
        restore: (data, meta) => sm.restore(meta.index, data),
      },
      bootstrap: [this.#o.id],
      sync: false,
      tickMs: this.#o.tickMs ?? 100,
      snapshotThreshold: this.#o.snapshotThreshold ?? 8192,
      trailingLogs: this.#o.trailingLogs ?? 10240,
    });
    this.#node = node;
    node.on('error', (err) => this.#o.logger.error({ err: String(err) }, 'raft: node stopped on error'));
    if (node.isLeaderReady()) return;
    const ready = new Promise<void>((resolve) => node.once('leaderReady', () => resolve()));
    // The only voter needs nobody's vote: it campaigns as soon as its bootstrap configuration is
    // applied, rather than after an election timeout (1-2 s).
    for (let i = 0; i < 200 && node.status().conf.voters.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    if (!node.isLeader()) node.campaign();
    await ready;
  }

  propose(data: Uint8Array): Promise<Proposal<R>> {
    const node = this.#node;
    if (this.#closed || !node) return Promise.reject(new LogClosedError());
    return node.propose(data);
  }

  isLeader(): boolean {
    return !this.#closed && (this.#node?.isLeaderReady() ?? false);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#node?.stop();
  }
}
