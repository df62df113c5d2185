/** `/v1/operator/autopilot/state`: the autopilot health judgement in the shape of Consul's state. */
import type { AutopilotHealth } from '../../cluster/cluster.js';

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
