/** The `raft` block of `/v1/agent/self` `Stats`, as Consul's agent reports it (all strings). */
import type { Status } from 'raft-ts';
import type { RaftServerView } from './cluster.js';

export interface RaftStatsInput {
  /** Raft's status; undefined until the node starts. */
  status: Status | undefined;
  /** The state's last index, reported until the node starts. */
  stateIndex: number;
  leading: boolean;
  lastContactMs: number;
  servers: readonly RaftServerView[];
  /** The stored raft snapshot; undefined until the node starts. */
  snapshot?: { index: number; term: number } | undefined;
}

export function raftStats(i: RaftStatsInput): Record<string, string> {
  const st = i.status;
  const role = st?.role === 'leader' ? 'Leader' : st?.role === 'candidate' || st?.role === 'preCandidate' ? 'Candidate' : 'Follower';
  return {
    applied_index: String(st?.applied ?? i.stateIndex),
    commit_index: String(st?.commit ?? i.stateIndex),
    last_log_index: String(st?.lastIndex ?? i.stateIndex),
    last_log_term: String(st?.term ?? 1),
    last_snapshot_index: String(i.snapshot?.index ?? 0),
    last_snapshot_term: String(i.snapshot?.term ?? 0),
    term: String(st?.term ?? 1),
    last_contact: i.leading ? '0' : `${i.lastContactMs}ms`,
    num_peers: String(Math.max(0, (st?.conf.voters.length ?? 1) - 1)),
    state: role,
    protocol_version: '3',
    latest_configuration: JSON.stringify(i.servers.map((s) => ({ ID: s.ID, Address: s.Address, Voter: s.Voter }))),
  };
}
