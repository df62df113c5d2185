/** The shapes of the agent's answers that the UI reads (Consul's JSON). */

export interface ServiceSummary {
  Name: string;
  Datacenter: string;
  Tags: string[] | null;
  Nodes: string[] | null;
  InstanceCount: number;
  ChecksPassing: number;
  ChecksWarning: number;
  ChecksCritical: number;
}

export interface Check {
  Node: string;
  CheckID: string;
  Name: string;
  Status: string;
  Notes: string;
  Output: string;
  ServiceID: string;
  ServiceName: string;
  Type?: string;
}

export interface Service {
  ID: string;
  Service: string;
  Tags: string[] | null;
  Address: string;
  Meta: Record<string, string> | null;
  Port: number;
}

export interface Node {
  ID: string;
  Node: string;
  Address: string;
  Datacenter: string;
  Meta: Record<string, string> | null;
}

export interface NodeInfo extends Node {
  Services: Service[];
  Checks: Check[];
}

export interface HealthEntry {
  Node: Node;
  Service: Service;
  Checks: Check[];
}

export interface KvEntry {
  Key: string;
  Value: string | null;
  Flags: number;
  Session?: string;
  LockIndex: number;
  CreateIndex: number;
  ModifyIndex: number;
}

export interface Session {
  ID: string;
  Name: string;
  Node: string;
  Behavior: string;
  TTL: string;
  LockDelay: number;
  NodeChecks: string[] | null;
  ServiceChecks: { ID: string }[] | null;
  CreateIndex: number;
}

export interface Coordinate {
  Node: string;
  Segment: string;
  Coord: { Vec: number[]; Error: number; Adjustment: number; Height: number };
}

export interface AgentSelf {
  Config: { Datacenter: string; NodeName: string; Server: boolean; Version?: string };
  DebugConfig?: { DNSDomain?: string };
}

export interface RaftServer {
  ID: string;
  Node: string;
  Address: string;
  Leader: boolean;
  Voter: boolean;
}

export interface RaftConfiguration {
  Servers: RaftServer[];
  Index: number;
}

export interface AutopilotServer {
  ID: string;
  Name: string;
  Address: string;
  SerfStatus: string;
  Leader: boolean;
  Voter: boolean;
  Healthy: boolean;
  LastContact: string;
  LastTerm: number;
  LastIndex: number;
  StableSince: string;
}

export interface AutopilotHealth {
  Healthy: boolean;
  FailureTolerance: number;
  Servers: AutopilotServer[];
}

export interface Member {
  Name: string;
  Addr: string;
  Port: number;
  Tags: Record<string, string>;
  Status: number;
}
