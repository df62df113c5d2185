import type { Message, NodeId } from '../core/types.js';

/** Callbacks a transport uses to hand inbound traffic and delivery outcomes to the node. */
export interface TransportHandler {
  onMessage(m: Message): void;
  /** A peer could not be reached (the leader probes it more gently). */
  onUnreachable(id: NodeId): void;
  /** The outcome of sending a 'snap' message (the snapshot is streamed in chunks). */
  onSnapshotStatus(id: NodeId, ok: boolean): void;
}

/**
 * Carries Raft messages between nodes. Sending never blocks and never throws: failures are
 * reported through the handler. Implementations must keep heartbeats from queuing behind appends
 * or snapshots.
 */
export interface Transport {
  start(handler: TransportHandler): Promise<void>;
  send(m: Message): void;
  close(): Promise<void>;
}
