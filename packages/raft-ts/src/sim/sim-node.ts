import type { RegisterOutput } from '../check/register-model.js';
import type { Xoshiro128 } from '@concord/simkit';
import type { RawNode } from '../core/raw-node.js';
import type { NodeId } from '../core/types.js';
import { MemoryStorage } from '../storage/memory-storage.js';
import { RegisterMachine } from './register-machine.js';

/** How a node answers a client: a value, or a definite failure with a leader hint. */
export type Respond = (r: { ok: true; value: RegisterOutput } | { ok: false; hint: NodeId }) => void;

/** One simulated server: its disk (a MemoryStorage that holds only synced writes), its core while up, its state machine and its pending client requests. */
export class SimNode {
  readonly id: NodeId;
  readonly storage = new MemoryStorage();
  readonly rng: Xoshiro128;
  raw: RawNode | undefined;
  sm = new RegisterMachine();
  applied = 0;
  checkedCommit = 0;
  /** Ready writes queued on the simulated disk; they complete in order. */
  pendingWrites = 0;
  lastWriteDoneAt = 0;
  incarnation = 0;
  retired = false;
  ctxSeq = 0;
  lastRole = 'follower';
  pendingProps = new Map<number, { term: number; respond: Respond }>();
  readCtx = new Map<string, { key: string; respond: Respond }>();
  readWaits: { index: number; key: string; respond: Respond }[] = [];

  constructor(id: NodeId, rng: Xoshiro128) {
    this.id = id;
    this.rng = rng;
  }
}

