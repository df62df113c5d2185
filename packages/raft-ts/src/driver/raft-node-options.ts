import type { InjectedBug, RaftConfig } from '../core/config.js';
import type { Ready, RawNode } from '../core/raw-node.js';
import type { Message, NodeId, Role } from '../core/types.js';
import type { DurableStorage } from '../storage/durable-storage.js';
import type { Prng, Timers } from '@concord/simkit';
import type { StateMachine } from './state-machine.js';
import type { Transport } from './transport.js';

export interface RaftNodeOptions<R = unknown> {
  /** This node's id. */
  readonly id: NodeId;
  readonly storage: DurableStorage;
  readonly transport: Transport;
  readonly stateMachine: StateMachine<R>;
  /**
   * Initial voters of a new cluster (including this node). Used only when the storage is empty;
   * a node started without it waits to be added by the leader.
   */
  readonly bootstrap?: readonly NodeId[];
  /** Milliseconds per logical tick. Default 100 (with electionTick 10: a 1-2 s election timeout). */
  readonly tickMs?: number;
  /** Core settings (see RaftConfig); id, prng and applied are filled in. */
  readonly raft?: Omit<Partial<RaftConfig>, 'id' | 'prng' | 'applied' | 'injectBug'>;
  /** Take a snapshot after this many applied entries. Default 8192. */
  readonly snapshotThreshold?: number;
  /**
   * At least this many ms between two snapshots taken by this node (hashicorp/raft's
   * SnapshotInterval idea: a busy node does not serialize its state every few seconds).
   * Default 0: snapshot as soon as the threshold is reached.
   */
  readonly snapshotIntervalMs?: number;
  /** Entries kept in the log behind a snapshot for slow followers. Default 10240. */
  readonly trailingLogs?: number;
  /** fsync each Ready that needs it. Default true; false only for tests and -dev mode. */
  readonly sync?: boolean;
  /**
   * Readys whose write may be in flight at once. 1 processes one Ready at a time; more lets the
   * node apply newly committed entries and take new proposals while its disk is busy. Default 4.
   */
  readonly maxPipelinedWrites?: number;
  /** ReadIndex requests fail after this many ms. Default 5000. */
  readonly readTimeoutMs?: number;
  /** Randomness for election timeouts. Default: seeded from node:crypto. */
  readonly prng?: Prng;
  /**
   * The clock and timers: the ticker, timeouts, the loop's deferred runs and the clock behind
   * rate limits and snapshot spacing. Default: Node's own (`realTimers`); a simulator passes
   * simulated ones.
   */
  readonly timers?: Timers;
  /** For simulators and tests only; production leaves it out. */
  readonly testing?: RaftNodeTesting;
}

/** Hooks a simulator uses to check the node from the inside. None changes what the node does. */
export interface RaftNodeTesting {
  /** Sees every Ready the node takes, before it is applied, with the core that produced it. */
  readonly inspectReady?: (ready: Ready, core: RawNode) => void;
  /** Break one rule in the core, to show that a checker notices. */
  readonly injectBug?: InjectedBug;
}

export interface LeaderChange {
  readonly leader: NodeId;
  readonly term: number;
  readonly role: Role;
}

export interface ProposeResult<R> {
  readonly index: number;
  readonly result: R;
}

/** Receives a proposal's outcome: what `propose`'s promise settles with, for `proposeTo`. */
export interface ProposalWaiter<R> {
  applied(r: ProposeResult<R>): void;
  reject(e: Error): void;
}

export interface RaftNodeEvents {
  leaderChange: [LeaderChange];
  /** Emitted after a snapshot is taken or installed. */
  snapshot: [{ readonly index: number; readonly term: number; readonly installed: boolean }];
  /**
   * This node leads and has applied an entry of its own term, so its state machine holds every
   * committed write (a new leader only learns which entries are committed when one of its term is).
   */
  leaderReady: [{ readonly term: number }];
  /** A storage or state machine failure stopped the node. */
  error: [Error];
  /**
   * Messages from a sender outside this node's configuration were dropped. Emitted at most once
   * per `NON_MEMBER_REPORT_MS` with the latest sender and how many were dropped since the last
   * report, so a flood cannot flood the log too.
   */
  nonMemberDropped: [{ readonly from: NodeId; readonly type: Message['type']; readonly count: number; readonly members: readonly NodeId[] }];
}
