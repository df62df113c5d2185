import type { AutopilotConfig, AutopilotConfigEntry } from '@concord/state';
import type { MemberInfo } from '../agent-context.js';

/** A raft server as `/v1/operator/raft/configuration` lists it. */
export interface RaftServerView {
  ID: string;
  Node: string;
  Address: string;
  Leader: boolean;
  Voter: boolean;
  ProtocolVersion: string;
}

/** One server in `/v1/operator/autopilot/health`. */
export interface ServerHealthView {
  ID: string;
  Name: string;
  Address: string;
  SerfStatus: string;
  Version: string;
  Leader: boolean;
  LastContact: string;
  LastTerm: number;
  LastIndex: number;
  Healthy: boolean;
  Voter: boolean;
  StableSince: string;
}

export interface AutopilotHealth {
  Healthy: boolean;
  FailureTolerance: number;
  Servers: ServerHealthView[];
}

/** `/v1/operator/keyring` for the LAN pool: how many agents hold each key. */
export interface KeyringCounts {
  Keys: Record<string, number>;
  PrimaryKeys: Record<string, number>;
  NumNodes: number;
}

export function countKeys(replies: readonly { keys: string[]; primary: string }[]): KeyringCounts {
  const out: KeyringCounts = { Keys: {}, PrimaryKeys: {}, NumNodes: replies.length };
  for (const r of replies) {
    for (const k of r.keys) out.Keys[k] = (out.Keys[k] ?? 0) + 1;
    if (r.primary) out.PrimaryKeys[r.primary] = (out.PrimaryKeys[r.primary] ?? 0) + 1;
  }
  return out;
}

/** Inputs dropped because they came from outside the cluster or broke a bound (exported as metrics). */
export interface DroppedInputs {
  /** Raft messages from a sender outside the raft configuration. */
  readonly raftNonMemberMessages: number;
  /** Gossip streams closed because too many were open, or whose first chunk was refused. */
  readonly gossipStreamsRefused: number;
  /** Gossip packets and frames that no installed key opened (or plaintext while encryption is required). */
  readonly gossipDecryptFailures: number;
}

/** The gossip part of `DroppedInputs`. */
export function gossipDropped(stats: {
  streamsRefused: number;
  framesRefused: number;
  decryptFailures: number;
}): Pick<DroppedInputs, 'gossipStreamsRefused' | 'gossipDecryptFailures'> {
  return { gossipStreamsRefused: stats.streamsRefused + stats.framesRefused, gossipDecryptFailures: stats.decryptFailures };
}

/**
 * What the agent needs from the cluster, whether this agent is a server (raft, leader duties,
 * answering typed calls) or a client (sending them to a server).
 */
export interface Cluster {
  readonly isServer: boolean;
  members(): MemberInfo[];
  /** The leader's RPC address, or '' when none is known. */
  leaderAddress(): string;
  knownLeader(): boolean;
  /** Milliseconds since this server heard from the leader (0 on the leader). */
  lastContactMs(): number;
  /** Waits until this server's state reflects every write acknowledged before the call. */
  consistentBarrier(): Promise<void>;
  /** RPC addresses of the raft voters. */
  peers(): string[];
  raftConfiguration(): { Servers: RaftServerView[]; Index: number };
  removePeer(by: { id?: string; address?: string }): Promise<void>;
  autopilotHealth(): Promise<AutopilotHealth>;
  /** Autopilot's replicated settings (a server's own `autopilot` block until the leader stored them). */
  autopilotConfig(): AutopilotConfigEntry;
  /** Stores autopilot's settings through raft; with `cas`, answers whether they were stored. */
  setAutopilotConfig(config: AutopilotConfig, cas: number | undefined): Promise<boolean>;
  /** Hands raft leadership to the voter `id`, or to the most up-to-date other voter. */
  transferLeader(id: string | undefined): Promise<void>;
  /** A keyring operation on every server, with the resulting key counts. */
  keyring(op: 'list' | 'install' | 'use' | 'remove', key: string): Promise<KeyringCounts>;
  join(addrs: readonly string[]): Promise<number>;
  forceLeave(node: string, prune: boolean): boolean;
  /** Stats for `/v1/agent/self` (`raft` and `serf_lan`). */
  stats(): { raft: Record<string, string>; serf_lan: Record<string, string>; leader: boolean; leaderAddr: string };
  droppedInputs(): DroppedInputs;
  /** Graceful leave: a server leaves raft first, then gossip. */
  leave(): Promise<void>;
  close(): Promise<void>;
}
