/**
 * Consul's documented JSON shapes. Field names are Consul's (PascalCase);
 * optional fields are the ones Consul omits or that only some versions send.
 */

export type HealthStatus = 'passing' | 'warning' | 'critical';

// ---- KV ---------------------------------------------------------------------

/** A KV entry with its value decoded from base64. */
export interface KVPair {
  readonly Key: string;
  readonly CreateIndex: number;
  readonly ModifyIndex: number;
  readonly LockIndex: number;
  readonly Flags: number;
  /** The value's bytes; `null` when the stored value is empty. */
  readonly Value: Buffer | null;
  /** The session holding the lock, if any. */
  readonly Session?: string;
}

/** A KV entry as it travels in JSON (`Value` in base64). */
export interface KVPairWire {
  readonly Key: string;
  readonly CreateIndex: number;
  readonly ModifyIndex: number;
  readonly LockIndex: number;
  readonly Flags: number;
  readonly Value: string | null;
  readonly Session?: string;
}

// ---- Transactions ------------------------------------------------------------

export type TxnKVVerb =
  | 'set'
  | 'cas'
  | 'lock'
  | 'unlock'
  | 'get'
  | 'get-or-empty'
  | 'get-tree'
  | 'check-index'
  | 'check-session'
  | 'check-not-exists'
  | 'delete'
  | 'delete-tree'
  | 'delete-cas';

export interface TxnKVOp {
  readonly Verb: TxnKVVerb;
  readonly Key: string;
  /** Raw bytes, or text sent as UTF-8; base64-encoded on the wire. */
  readonly Value?: Uint8Array | string;
  readonly Flags?: number;
  readonly Index?: number;
  readonly Session?: string;
}

export type TxnOtherVerb = 'set' | 'cas' | 'get' | 'delete' | 'delete-cas';

export interface TxnNodeOp {
  readonly Verb: TxnOtherVerb;
  readonly Node: CatalogNodeEntry;
}

export interface TxnServiceOp {
  readonly Verb: TxnOtherVerb;
  readonly Node: string;
  readonly Service: AgentService;
}

export interface TxnCheckOp {
  readonly Verb: TxnOtherVerb;
  readonly Check: HealthCheck;
}

/** Destroys a session (releasing or deleting what it holds) as part of the transaction. */
export interface TxnSessionOp {
  readonly Verb: 'delete';
  readonly Session: { readonly ID: string };
}

export type TxnOp =
  | { readonly KV: TxnKVOp }
  | { readonly Node: TxnNodeOp }
  | { readonly Service: TxnServiceOp }
  | { readonly Check: TxnCheckOp }
  | { readonly Session: TxnSessionOp };

export type TxnResultEntry = { readonly KV: KVPair } | { readonly Node: CatalogNodeEntry } | { readonly Service: AgentService } | { readonly Check: HealthCheck };

export interface TxnError {
  readonly OpIndex: number;
  readonly What: string;
}

/** The outcome of `/v1/txn`: `ok` is false when it was rolled back (HTTP 409). */
export interface TxnResponse {
  readonly ok: boolean;
  readonly results: TxnResultEntry[];
  readonly errors: TxnError[];
}

// ---- Sessions ----------------------------------------------------------------

export interface SessionRequest {
  readonly Name?: string;
  readonly Node?: string;
  /** Go duration string (`"15s"`) or nanoseconds. */
  readonly LockDelay?: string | number;
  readonly Behavior?: 'release' | 'delete';
  /** Go duration string, e.g. `"30s"`. */
  readonly TTL?: string;
  readonly Checks?: readonly string[];
  readonly NodeChecks?: readonly string[];
  readonly ServiceChecks?: ReadonlyArray<{ readonly ID: string; readonly Namespace?: string }>;
}

export interface SessionEntry {
  readonly ID: string;
  readonly Name: string;
  readonly Node: string;
  /** Nanoseconds. */
  readonly LockDelay: number;
  readonly Behavior: 'release' | 'delete';
  readonly TTL: string;
  readonly Checks?: string[] | null;
  readonly NodeChecks?: string[] | null;
  readonly ServiceChecks?: Array<{ ID: string; Namespace?: string }> | null;
  readonly CreateIndex: number;
  readonly ModifyIndex: number;
}

// ---- Catalog -----------------------------------------------------------------

export interface Weights {
  readonly Passing: number;
  readonly Warning: number;
}

export interface ServiceAddress {
  readonly Address: string;
  readonly Port: number;
}

/** A node as `/v1/catalog/nodes` lists it. */
export interface CatalogNodeEntry {
  readonly ID?: string;
  readonly Node: string;
  readonly Address: string;
  readonly Datacenter?: string;
  readonly TaggedAddresses?: Record<string, string> | null;
  readonly Meta?: Record<string, string> | null;
  readonly CreateIndex?: number;
  readonly ModifyIndex?: number;
}

/** One instance from `/v1/catalog/service/<name>`. */
export interface CatalogServiceEntry {
  readonly ID: string;
  readonly Node: string;
  readonly Address: string;
  readonly Datacenter: string;
  readonly TaggedAddresses: Record<string, string> | null;
  readonly NodeMeta: Record<string, string> | null;
  readonly ServiceKind?: string;
  readonly ServiceID: string;
  readonly ServiceName: string;
  readonly ServiceTags: string[];
  readonly ServiceAddress: string;
  readonly ServiceTaggedAddresses?: Record<string, ServiceAddress> | null;
  readonly ServiceWeights: Weights;
  readonly ServiceMeta: Record<string, string> | null;
  readonly ServicePort: number;
  readonly ServiceEnableTagOverride: boolean;
  readonly CreateIndex: number;
  readonly ModifyIndex: number;
}

/** `/v1/catalog/node/<name>`: the node and its services keyed by service ID. */
export interface CatalogNode {
  readonly Node: CatalogNodeEntry;
  readonly Services: Record<string, AgentService>;
}

/** `/v1/catalog/node-services/<name>`: the node and its services as a list. */
export interface CatalogNodeServiceList {
  readonly Node: CatalogNodeEntry;
  readonly Services: AgentService[];
}

export interface CatalogRegistration {
  readonly ID?: string;
  readonly Node: string;
  readonly Address: string;
  readonly Datacenter?: string;
  readonly TaggedAddresses?: Readonly<Record<string, string>>;
  readonly NodeMeta?: Readonly<Record<string, string>>;
  readonly Service?: AgentServiceInput;
  readonly Check?: HealthCheckInput;
  readonly Checks?: readonly HealthCheckInput[];
  readonly SkipNodeUpdate?: boolean;
}

export interface CatalogDeregistration {
  readonly Node: string;
  readonly Datacenter?: string;
  readonly ServiceID?: string;
  readonly CheckID?: string;
}

// ---- Health ------------------------------------------------------------------

export interface HealthCheck {
  readonly Node: string;
  readonly CheckID: string;
  readonly Name: string;
  readonly Status: HealthStatus;
  readonly Notes: string;
  readonly Output: string;
  readonly ServiceID: string;
  readonly ServiceName: string;
  readonly ServiceTags: string[] | null;
  readonly Type?: string;
  readonly Interval?: string;
  readonly Timeout?: string;
  readonly Definition?: Record<string, unknown>;
  readonly CreateIndex?: number;
  readonly ModifyIndex?: number;
}

/** A check as written to `/v1/catalog/register`. */
export interface HealthCheckInput {
  readonly Node?: string;
  readonly CheckID?: string;
  readonly Name: string;
  readonly Status?: HealthStatus;
  readonly Notes?: string;
  readonly Output?: string;
  readonly ServiceID?: string;
  readonly Definition?: Readonly<Record<string, unknown>>;
}

/** One element of `/v1/health/service/<name>`. */
export interface ServiceEntry {
  readonly Node: CatalogNodeEntry;
  readonly Service: AgentService;
  readonly Checks: HealthCheck[];
}

// ---- Agent -------------------------------------------------------------------

/** A service as the agent and the catalog report it. */
export interface AgentService {
  readonly ID: string;
  readonly Service: string;
  readonly Tags: string[] | null;
  readonly Meta: Record<string, string> | null;
  readonly Port: number;
  readonly Address: string;
  readonly Kind?: string;
  readonly TaggedAddresses?: Record<string, ServiceAddress> | null;
  readonly Weights?: Weights;
  readonly EnableTagOverride: boolean;
  readonly Datacenter?: string;
  readonly ContentHash?: string;
  readonly CreateIndex?: number;
  readonly ModifyIndex?: number;
}

/** A service inside a catalog registration. */
export interface AgentServiceInput {
  readonly ID?: string;
  readonly Service: string;
  readonly Tags?: readonly string[];
  readonly Meta?: Readonly<Record<string, string>>;
  readonly Port?: number;
  readonly Address?: string;
  readonly Kind?: string;
  readonly TaggedAddresses?: Readonly<Record<string, ServiceAddress>>;
  readonly Weights?: Weights;
  readonly EnableTagOverride?: boolean;
}

/** A check definition for `/v1/agent/check/register` or inside a service registration. */
export interface AgentCheckRegistration {
  readonly ID?: string;
  readonly CheckID?: string;
  readonly Name?: string;
  readonly Notes?: string;
  readonly ServiceID?: string;
  readonly Status?: HealthStatus;
  readonly Args?: readonly string[];
  readonly HTTP?: string;
  readonly Method?: string;
  readonly Header?: Readonly<Record<string, readonly string[]>>;
  readonly Body?: string;
  readonly TCP?: string;
  readonly UDP?: string;
  readonly GRPC?: string;
  readonly GRPCUseTLS?: boolean;
  readonly TTL?: string;
  readonly Interval?: string;
  readonly Timeout?: string;
  readonly TLSServerName?: string;
  readonly TLSSkipVerify?: boolean;
  readonly DockerContainerID?: string;
  readonly Shell?: string;
  readonly AliasNode?: string;
  readonly AliasService?: string;
  readonly SuccessBeforePassing?: number;
  readonly FailuresBeforeWarning?: number;
  readonly FailuresBeforeCritical?: number;
  readonly DeregisterCriticalServiceAfter?: string;
  readonly OutputMaxSize?: number;
}

/** Body of `/v1/agent/service/register`. */
export interface AgentServiceRegistration {
  readonly ID?: string;
  readonly Name: string;
  readonly Tags?: readonly string[];
  readonly Port?: number;
  readonly Address?: string;
  readonly Kind?: string;
  readonly TaggedAddresses?: Readonly<Record<string, ServiceAddress>>;
  readonly EnableTagOverride?: boolean;
  readonly Meta?: Readonly<Record<string, string>>;
  readonly Weights?: Weights;
  readonly Check?: AgentCheckRegistration;
  readonly Checks?: readonly AgentCheckRegistration[];
}

/** A gossip member from `/v1/agent/members`. */
export interface AgentMember {
  readonly Name: string;
  readonly Addr: string;
  readonly Port: number;
  readonly Tags: Record<string, string>;
  /** Serf status: 0 none, 1 alive, 2 leaving, 3 left, 4 failed. */
  readonly Status: number;
  readonly ProtocolMin: number;
  readonly ProtocolMax: number;
  readonly ProtocolCur: number;
  readonly DelegateMin: number;
  readonly DelegateMax: number;
  readonly DelegateCur: number;
}

/** `/v1/agent/self`. `Stats` is what `consul info` prints. */
export interface AgentSelf {
  readonly Config: {
    readonly Datacenter: string;
    readonly PrimaryDatacenter?: string;
    readonly NodeName: string;
    readonly NodeID: string;
    readonly Revision?: string;
    readonly Server: boolean;
    readonly Version: string;
    readonly BuildDate?: string;
    readonly [key: string]: unknown;
  };
  readonly DebugConfig?: Record<string, unknown>;
  readonly Coord?: Record<string, unknown> | null;
  readonly Member: AgentMember;
  readonly Stats: Record<string, Record<string, string>>;
  readonly Meta: Record<string, string> | null;
  readonly [key: string]: unknown;
}

// ---- Operator ----------------------------------------------------------------

export interface RaftServer {
  readonly ID: string;
  readonly Node: string;
  readonly Address: string;
  readonly Leader: boolean;
  readonly Voter: boolean;
  readonly ProtocolVersion: string;
}

export interface RaftConfiguration {
  readonly Servers: RaftServer[];
  readonly Index: number;
}

export interface AutopilotServerHealth {
  readonly ID: string;
  readonly Name: string;
  readonly Address: string;
  readonly SerfStatus: string;
  readonly Version: string;
  readonly Leader: boolean;
  readonly LastContact: string;
  readonly LastTerm: number;
  readonly LastIndex: number;
  readonly Healthy: boolean;
  readonly Voter: boolean;
  readonly StableSince: string;
}

export interface AutopilotHealth {
  readonly Healthy: boolean;
  readonly FailureTolerance: number;
  readonly Servers: AutopilotServerHealth[];
}

/** Autopilot's settings (`/v1/operator/autopilot/configuration`); durations as Go strings. */
export interface AutopilotConfiguration {
  CleanupDeadServers: boolean;
  LastContactThreshold: string;
  MaxTrailingLogs: number;
  MinQuorum: number;
  ServerStabilizationTime: string;
  RedundancyZoneTag: string;
  DisableUpgradeMigration: boolean;
  UpgradeVersionTag: string;
  CreateIndex?: number;
  ModifyIndex?: number;
}

/** One server in `/v1/operator/autopilot/state`. */
export interface AutopilotServerState {
  readonly ID: string;
  readonly Name: string;
  readonly Address: string;
  readonly NodeStatus: string;
  readonly Version: string;
  readonly LastContact: string;
  readonly LastTerm: number;
  readonly LastIndex: number;
  readonly Healthy: boolean;
  readonly StableSince: string;
  readonly ReadReplica: boolean;
  readonly Status: string;
  readonly Meta: Record<string, string> | null;
  readonly NodeType: string;
  readonly RedundancyZone?: string;
  readonly UpgradeVersion?: string;
}

/** `/v1/operator/autopilot/state`. */
export interface AutopilotState {
  readonly Healthy: boolean;
  readonly FailureTolerance: number;
  readonly OptimisticFailureTolerance: number;
  readonly Servers: Record<string, AutopilotServerState>;
  readonly Leader: string;
  readonly Voters: readonly string[];
  readonly ReadReplicas?: readonly string[] | null;
}

/** A Vivaldi network coordinate, in seconds. */
export interface NetworkCoordinate {
  readonly Vec: readonly number[];
  readonly Error: number;
  readonly Adjustment: number;
  readonly Height: number;
}

/** `/v1/coordinate/nodes` and `/v1/coordinate/node/<n>` entries; the body of `/v1/coordinate/update`. */
export interface CoordinateEntry {
  readonly Node: string;
  readonly Segment: string;
  readonly Coord: NetworkCoordinate;
}

/** `/v1/coordinate/datacenters` entries. */
export interface CoordinateDatacenterMap {
  readonly Datacenter: string;
  readonly AreaID: string;
  readonly Coordinates: readonly { readonly Node: string; readonly Coord: NetworkCoordinate }[];
}
