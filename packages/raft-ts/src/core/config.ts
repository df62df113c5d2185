import { ConfigError } from '../errors.js';
import type { Prng } from '@concord/simkit';
import type { NodeId } from './types.js';

/** Deliberately broken rules used by the simulator to prove its checker can fail. Never set in production. */
export type InjectedBug = 'commit-without-quorum' | 'vote-twice-in-term' | 'apply-uncommitted' | 'read-without-readindex' | 'accept-non-members' | 'leader-acks-unwritten';

export const INJECTABLE_BUGS: readonly InjectedBug[] = [
  'commit-without-quorum',
  'vote-twice-in-term',
  'apply-uncommitted',
  'read-without-readindex',
  'accept-non-members',
  'leader-acks-unwritten',
];

export interface RaftConfig {
  /** This node's id (non-empty). */
  readonly id: NodeId;
  /**
   * Ticks without hearing a leader before a follower campaigns. The actual timeout is drawn from
   * [electionTick, 2 * electionTick) with the injected PRNG. Default 10. Must exceed heartbeatTick.
   */
  readonly electionTick?: number;
  /** Ticks between leader heartbeats. Default 1. */
  readonly heartbeatTick?: number;
  /** Randomness for election timeouts. Required: the core has none of its own. */
  readonly prng: Prng;
  /** Index already applied by the state machine at start (usually the snapshot index). Default: storage's first index - 1. */
  readonly applied?: number;
  /** Largest append message in bytes (at least one entry is always sent). Default 1 MiB. */
  readonly maxSizePerMsg?: number;
  /** Largest batch of committed entries handed out in one Ready. Default 16 MiB. */
  readonly maxCommittedSizePerReady?: number;
  /** Append messages in flight per follower in Replicate state. Default 256. */
  readonly maxInflightMsgs?: number;
  /** Bytes in flight per follower (0 = unlimited). Default 0. Must be >= maxSizePerMsg when set. */
  readonly maxInflightBytes?: number;
  /** Bytes of uncommitted entries the leader accepts before dropping proposals. Default 64 MiB. */
  readonly maxUncommittedEntriesSize?: number;
  /** Pre-vote phase before real elections (thesis 9.6). Default true. */
  readonly preVote?: boolean;
  /** Leader steps down when a quorum was not active for an election timeout. Default true. */
  readonly checkQuorum?: boolean;
  /**
   * Serve ReadIndex from the leader lease instead of a heartbeat round. Requires checkQuorum and
   * bounded clock drift. Default false.
   */
  readonly leaseRead?: boolean;
  /** Simulation only: break one rule on purpose. */
  readonly injectBug?: InjectedBug | undefined;
}

export interface ResolvedConfig {
  readonly id: NodeId;
  readonly electionTick: number;
  readonly heartbeatTick: number;
  readonly prng: Prng;
  readonly applied: number | undefined;
  readonly maxSizePerMsg: number;
  readonly maxCommittedSizePerReady: number;
  readonly maxInflightMsgs: number;
  readonly maxInflightBytes: number;
  readonly maxUncommittedEntriesSize: number;
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
  readonly leaseRead: boolean;
  readonly injectBug: InjectedBug | undefined;
}

export function resolveConfig(c: RaftConfig): ResolvedConfig {
  const r: ResolvedConfig = {
    id: c.id,
    electionTick: c.electionTick ?? 10,
    heartbeatTick: c.heartbeatTick ?? 1,
    prng: c.prng,
    applied: c.applied,
    maxSizePerMsg: c.maxSizePerMsg ?? 1024 * 1024,
    maxCommittedSizePerReady: c.maxCommittedSizePerReady ?? 16 * 1024 * 1024,
    maxInflightMsgs: c.maxInflightMsgs ?? 256,
    maxInflightBytes: c.maxInflightBytes ?? 0,
    maxUncommittedEntriesSize: c.maxUncommittedEntriesSize ?? 64 * 1024 * 1024,
    preVote: c.preVote ?? true,
    checkQuorum: c.checkQuorum ?? true,
    leaseRead: c.leaseRead ?? false,
    injectBug: c.injectBug,
  };
  if (!r.id) throw new ConfigError('id must be a non-empty string');
  if (r.heartbeatTick <= 0) throw new ConfigError('heartbeatTick must be > 0');
  if (r.electionTick <= r.heartbeatTick) throw new ConfigError('electionTick must be greater than heartbeatTick');
  if (r.maxInflightMsgs <= 0) throw new ConfigError('maxInflightMsgs must be > 0');
  if (r.maxInflightBytes > 0 && r.maxInflightBytes < r.maxSizePerMsg) {
    throw new ConfigError('maxInflightBytes must be >= maxSizePerMsg');
  }
  if (r.leaseRead && !r.checkQuorum) throw new ConfigError('leaseRead requires checkQuorum');
  return r;
}
