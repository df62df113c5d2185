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
      const healthy =
        serfStatus === 'alive' && (s.Leader || (contact <= input.lastContactThresholdMs && leaderIndex - lastIndex <= input.maxTrailingLogs));
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

export interface AutopilotServerState {
  ID: string;
  Name: string;
  Address: string;
  NodeStatus: string;
  Version: string;
  LastContact: string;
  LastTerm: number;
  LastIndex: number;
  Healthy: boolean;
  StableSince: string;
  ReadReplica: boolean;
  Status: 'leader' | 'voter' | 'non-voter';
  Meta: Record<string, string>;
  NodeType: 'voter';
}

/** `/v1/operator/autopilot/state`: the same judgement, in the shape of Consul's autopilot state. */
export interface AutopilotState {
  Healthy: boolean;
  FailureTolerance: number;
  /** Servers that could fail one after another, each replaced by a healthy non-voter, without an outage. */
  OptimisticFailureTolerance: number;
  Servers: Record<string, AutopilotServerState>;
  Leader: string;
  Voters: string[];
}

export function autopilotState(health: AutopilotHealth): AutopilotState {
  const servers: Record<string, AutopilotServerState> = {};
  for (const s of health.Servers) {
    servers[s.ID] = {
      ID: s.ID,
      Name: s.Name,
      Address: s.Address,
      NodeStatus: s.SerfStatus,
      Version: s.Version,
      LastContact: s.LastContact,
      LastTerm: s.LastTerm,
      LastIndex: s.LastIndex,
      Healthy: s.Healthy,
      StableSince: s.StableSince,
      ReadReplica: false,
      Status: s.Leader ? 'leader' : s.Voter ? 'voter' : 'non-voter',
      Meta: { 'consul-network-segment': '' },
      NodeType: 'voter',
    };
  }
  const voters = health.Servers.filter((s) => s.Voter);
  const quorum = Math.floor(voters.length / 2) + 1;
  const healthy = health.Servers.filter((s) => s.Healthy).length;
  return {
    Healthy: health.Healthy,
    FailureTolerance: health.FailureTolerance,
    OptimisticFailureTolerance: voters.length === 0 ? 0 : Math.max(0, healthy - quorum),
    Servers: servers,
    Leader: health.Servers.find((s) => s.Leader)?.ID ?? '',
    Voters: voters.map((s) => s.ID),
  };
}
