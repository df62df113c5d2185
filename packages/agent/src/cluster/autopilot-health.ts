/**
 * `/v1/operator/autopilot/health`: each server of the raft configuration judged the way Consul's
 * autopilot does (alive in gossip, heard from the leader within LastContactThreshold, at most
 * MaxTrailingLogs entries behind), and the cluster's failure tolerance.
 */
import type { AutopilotHealth, RaftServerView, ServerHealthView } from './cluster.js';

/** What one server reports about its own log (locally, or over the status RPC). */
export interface LogPosition {
  lastIndex: number;
  term: number;
  /** Milliseconds since it heard from the leader; MAX_SAFE_INTEGER when it cannot be asked. */
  contactMs: number;
}

export interface AutopilotInput {
  selfId: string;
  version: string;
  /** The raft configuration. */
  servers: readonly RaftServerView[];
  /** Gossip status by raft ID (alive, suspect, failed, left). */
  gossipStatus: ReadonlyMap<string, string>;
  /** The leader's last log index, when this server knows it. */
  leaderLastIndex: number | undefined;
  /** A server's log position; a peer that does not answer resolves to undefined. */
  position(server: RaftServerView): Promise<LogPosition | undefined>;
  /** The leader's replication match for a peer, used when the peer does not answer. */
  matchOf(id: string): number | undefined;
  /** Autopilot's LastContactThreshold, in milliseconds. */
  lastContactThresholdMs: number;
  /** Autopilot's MaxTrailingLogs. */
  maxTrailingLogs: number;
  /** Since when (ms since the epoch) a server has been in its current health. */
  stableSince(id: string, healthy: boolean): number;
}

export async function autopilotHealth(input: AutopilotInput): Promise<AutopilotHealth> {
  const servers: ServerHealthView[] = await Promise.all(
    input.servers.map(async (s) => {
      const member = input.gossipStatus.get(s.ID);
      const serfStatus = s.ID === input.selfId ? 'alive' : member ? (member === 'suspect' ? 'alive' : member) : 'none';
      const pos = await input.position(s);
      const lastIndex = pos?.lastIndex ?? input.matchOf(s.ID) ?? 0;
      const contact = pos?.contactMs ?? Number.MAX_SAFE_INTEGER;
      const leaderIndex = input.leaderLastIndex ?? lastIndex;
      const healthy = serfStatus === 'alive' && (s.Leader || (contact <= input.lastContactThresholdMs && leaderIndex - lastIndex <= input.maxTrailingLogs));
      return {
        ID: s.ID,
        Name: s.Node,
        Address: s.Address,
        SerfStatus: serfStatus,
        Version: input.version,
        Leader: s.Leader,
        LastContact: s.Leader ? '0s' : contact >= 2 ** 31 ? '-1ns' : `${(contact / 1000).toFixed(3)}s`,
        LastTerm: pos?.term ?? 0,
        LastIndex: lastIndex,
        Healthy: healthy,
        Voter: s.Voter,
        StableSince: new Date(input.stableSince(s.ID, healthy)).toISOString(),
      };
    }),
  );
  const voters = servers.filter((s) => s.Voter);
  const healthyVoters = voters.filter((s) => s.Healthy).length;
  const quorum = Math.floor(voters.length / 2) + 1;
  return { Healthy: servers.every((s) => s.Healthy), FailureTolerance: Math.max(0, healthyVoters - quorum), Servers: servers };
}
