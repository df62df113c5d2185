// raft-ts: the pure core, in-memory storage, the driver and its interfaces.
// WalStorage is the durable log servers use (no dependency); subpath exports: raft-ts/level (LevelStorage and the migration from it), raft-ts/grpc (GrpcTransport), raft-ts/sim (simulator and checker).
export type { RaftConfig, InjectedBug } from './core/config.js';
export type { Prng } from '@concord/simkit';
export { Xoshiro128 } from '@concord/simkit';
export type { Storage, InitialState } from './core/storage.js';
export { RawNode } from './core/raw-node.js';
export type { Ready, Status, PeerProgress } from './core/raw-node.js';
export type { ProgressState } from './core/progress.js';
export { bootstrapEntries } from './core/bootstrap.js';
export { describeEntry, describeMessage, describeReady } from './core/describe.js';
export {
  NONE,
  message,
  encodeConfChange,
  decodeConfChange,
  type NodeId,
  type Entry,
  type EntryType,
  type HardState,
  type ConfState,
  type ConfChange,
  type ConfChangeItem,
  type ConfChangeType,
  type Snapshot,
  type SnapshotMeta,
  type Message,
  type MessageType,
  type Role,
  type SoftState,
  type ReadState,
} from './core/types.js';
export { MemoryStorage } from './storage/memory-storage.js';
export { WalStorage, type WalStorageOptions, type WalInitialLog } from './storage/wal-storage.js';
export type { DurableStorage, PersistBatch } from './storage/durable-storage.js';
export { RaftNode, NON_MEMBER_REPORT_MS } from './driver/raft-node.js';
export type { RaftNodeOptions, RaftNodeEvents, RaftNodeTesting, LeaderChange, ProposeResult, ProposalWaiter } from './driver/raft-node.js';
export type { Timers, TimerHandle } from '@concord/simkit';
export type { StateMachine, AppliedEntry } from './driver/state-machine.js';
export type { Transport, TransportHandler } from './driver/transport.js';
export { MemoryNetwork } from './driver/memory-transport.js';
export * from './errors.js';
