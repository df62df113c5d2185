import type { SimClock, SimNetwork } from '@concord/simkit';
import type { RegisterInput } from '../check/register-model.js';
import type { NodeId } from '../core/types.js';
import type { Respond, SimNode } from './sim-node.js';

/** The knobs each seed draws: which faults are on and how the cluster is tuned (swarm testing). */
export interface Swarm {
  crashes: boolean;
  partitions: boolean;
  transfers: boolean;
  membership: boolean;
  snapshotEvery: number;
  faultEveryMs: number;
  maxInflight: number;
  maxSizePerMsg: number;
}

/** What the workload and the fault injector may see and do in a simulation. */
export interface SimWorld {
  readonly q: SimClock;
  readonly net: SimNetwork;
  readonly nodes: ReadonlyMap<NodeId, SimNode>;
  readonly swarm: Swarm;
  /** Initial number of voters. */
  readonly initial: number;
  /** False once the liveness phase starts or the run ends. */
  faultsActive(): boolean;
  trace(line: string): void;
  /** Hand a client request to a node (proposal or ReadIndex). */
  serve(n: SimNode, input: RegisterInput, respond: Respond): void;
  crash(n: SimNode): void;
  restart(n: SimNode): void;
  /** Start a new, empty node that will join through a configuration change. */
  join(id: NodeId): SimNode;
  /** Remember that `id` is being removed, so it is stopped once the removal is applied. */
  markRemoving(id: NodeId): void;
}
