import type { Prng } from '@concord/simkit';
import type { Awareness } from './awareness.js';
import type { GossipConfig } from './config.js';
import type { UserEvent } from './user-events.js';
import type { AliveMessage, Endpoint, MemberStatus, PacketMessage, Tags } from './messages.js';
import type { MemberState, MemberTable } from './member-table.js';

/** A member as the local node sees it. */
export interface MemberInfo {
  readonly name: string;
  readonly addr: string;
  readonly port: number;
  readonly tags: Tags;
  readonly status: MemberStatus;
  readonly incarnation: number;
}

export type MemberEventType = 'join' | 'update' | 'suspect' | 'failed' | 'leave' | 'reap';

export interface MemberEvent {
  readonly type: MemberEventType;
  readonly member: MemberInfo;
  /** Time of the change, in the caller's clock. */
  readonly at: number;
}

/** What the core asks its driver to do. */
export type CoreOutput =
  /** Send one compound UDP packet. */
  | { readonly kind: 'packet'; readonly to: Endpoint; readonly msgs: readonly PacketMessage[] }
  /** TCP fallback probe; report the outcome with `streamPingResult(seq, ok)`. */
  | { readonly kind: 'stream-ping'; readonly to: Endpoint; readonly node: string; readonly seq: number }
  /** Exchange full state over TCP: send `localState()`, merge the reply with `mergeRemoteState`. */
  | { readonly kind: 'push-pull'; readonly to: Endpoint; readonly join: boolean }
  | { readonly kind: 'event'; readonly event: MemberEvent }
  /** A user event seen for the first time (our own included), to hand to the application. */
  | { readonly kind: 'user-event'; readonly event: UserEvent };

/** Counters the parts of the core add to (read through `SwimCore.stats`). */
export interface CoreCounters {
  probes: number;
  probeFailures: number;
  indirectProbes: number;
  refutations: number;
  addressConflicts: number;
}

/** What every part of one member's core shares: identity, settings, randomness, the member table, time and the outputs. */
export interface CoreContext {
  readonly name: string;
  readonly config: GossipConfig;
  readonly rng: Prng;
  readonly members: MemberTable;
  readonly awareness: Awareness;
  readonly counters: CoreCounters;
  /** Bytes the driver adds to each UDP packet (encryption), taken off the packet budget. */
  readonly packetOverhead: number;
  /** The time of the call being handled. */
  now: number;
  output(o: CoreOutput): void;
  /** Report a change of `m` to the application. */
  emit(type: MemberEventType, m: MemberState): void;
}

export function memberInfo(m: MemberState): MemberInfo {
  return { name: m.name, addr: m.addr, port: m.port, tags: m.tags, status: m.status, incarnation: m.inc };
}

export function aliveMessage(m: MemberState): AliveMessage {
  return { t: 'alive', node: m.name, inc: m.inc, addr: m.addr, port: m.port, tags: m.tags };
}
