import type { SimTimers, Xoshiro128 } from '@concord/simkit';
import type { RegisterOutput } from '../check/register-model.js';
import type { RaftNode } from '../driver/raft-node.js';
import type { NodeId } from '../core/types.js';
import { MemoryStorage } from '../storage/memory-storage.js';
import { RegisterMachine } from './register-machine.js';
import type { SimTransport } from './sim-transport.js';

/** How a node answers a client: a value, or a definite failure with a leader hint. */
export type Respond = (r: { ok: true; value: RegisterOutput } | { ok: false; hint: NodeId }) => void;

/**
 * One simulated server: its disk (the platter outlives crashes), and while its process runs the
 * real `RaftNode` over simulated timers, disk and transport, with its state machine.
 */
export class SimNode {
  readonly id: NodeId;
  readonly platter = new MemoryStorage();
  readonly rng: Xoshiro128;
  /** The running process: set once `RaftNode.start` resolved, cleared by a crash. */
  node: RaftNode<boolean> | undefined;
  /** True from start until a crash (the process may still be starting). */
  up = false;
  timers: SimTimers | undefined;
  transport: SimTransport | undefined;
  sm = new RegisterMachine();
  /** What the checker has seen this process apply and commit. */
  applied = 0;
  checkedCommit = 0;
  incarnation = 0;
  retired = false;
  lastRole = 'follower';

  constructor(id: NodeId, rng: Xoshiro128) {
    this.id = id;
    this.rng = rng;
  }
}
