/**
 * Entities of the replicated state, in the JSON shapes Consul's HTTP API uses.
 * Field order follows Consul's Go structs, because JSON output keeps insertion order.
 */
import type { StateSnapshot } from './store.js';

export type HealthStatus = 'passing' | 'warning' | 'critical';

export interface KvEntry {
  LockIndex: number;
  Key: string;
  /** uint64: a number, or its decimal string when above 2^53 (exact, as Consul's lock flags need). */
  Flags: number | string;
  /** Base64 of the value, or null for an empty value. */
  Value: string | null;
  Session?: string;
  CreateIndex: number;
  ModifyIndex: number;
}

export interface NodeEntry {
  ID: string;
  Node: string;
  Address: string;
  Datacenter: string;
  TaggedAddresses: Record<string, string>;
  Meta: Record<string, string>;
  CreateIndex: number;
  ModifyIndex: number;
}

export interface Weights {
  Passing: number;
  Warning: number;
}

export interface ServiceEntry {
  ID: string;
  Service: string;
  Tags: string[];
  Address: string;
  TaggedAddresses?: Record<string, { Address: string; Port: number }>;
  Meta: Record<string, string>;
  Port: number;
  Weights: Weights;
  EnableTagOverride: boolean;
  Kind?: string;
  CreateIndex: number;
  ModifyIndex: number;
}

export interface CheckEntry {
  Node: string;
  CheckID: string;
  Name: string;
  Status: HealthStatus;
  Notes: string;
  Output: string;
  ServiceID: string;
  ServiceName: string;
  ServiceTags: string[];
  Type: string;
  Interval: string;
  Timeout: string;
  ExposedPort: number;
  Definition: Record<string, unknown>;
  CreateIndex: number;
  ModifyIndex: number;
}

/** A Vivaldi network coordinate (seconds), as Serf and Consul's HTTP API shape it. */
export interface NetworkCoordinate {
  Vec: number[];
  Error: number;
  Adjustment: number;
  Height: number;
}

/** One node's LAN coordinate in a network segment ("" in Consul OSS). */
export interface CoordinateEntry {
  Node: string;
  Segment: string;
  Coord: NetworkCoordinate;
}

export type SessionBehavior = 'release' | 'delete';

export interface SessionEntry {
  ID: string;
  Name: string;
  Node: string;
  /** Nanoseconds, as Consul serializes it. */
  LockDelay: number;
  Behavior: SessionBehavior;
  /** Go duration string, or "" for none. */
  TTL: string;
  NodeChecks: string[] | null;
  ServiceChecks: { ID: string; Namespace?: string }[] | null;
  CreateIndex: number;
  ModifyIndex: number;
}

/** Where a prepared query fails over to (stored; failover to other datacenters is not run yet). */
export interface QueryFailoverTarget {
  Peer: string;
  Datacenter: string;
}

/** A prepared query, in the shape of Consul's `structs.PreparedQuery` (field order included). */
export interface PreparedQuery {
  ID: string;
  Name: string;
  Session: string;
  Token: string;
  Template: { Type: string; Regexp: string; RemoveEmptyTags: boolean };
  Service: {
    Service: string;
    SamenessGroup: string;
    Failover: { NearestN: number; Datacenters: string[] | null; Targets: QueryFailoverTarget[] | null };
    OnlyPassing: boolean;
    IgnoreCheckIDs: string[] | null;
    Near: string;
    Tags: string[] | null;
    NodeMeta: Record<string, string> | null;
    ServiceMeta: Record<string, string> | null;
    Connect: boolean;
    Peer: string;
  };
  DNS: { TTL: string };
  CreateIndex: number;
  ModifyIndex: number;
}

/** Who runs a prepared query: template rendering reads `${agent.segment}` from it. */
export interface QuerySource {
  Segment: string;
}

// ---------------------------------------------------------------------------------------------
// Commands: every mutation is one of these plain, serializable objects.

export type KvVerb =
  | 'set'
  | 'cas'
  | 'lock'
  | 'unlock'
  | 'delete'
  | 'delete-tree'
  | 'delete-cas'
  | 'get'
  | 'get-or-empty'
  | 'get-tree'
  | 'check-index'
  | 'check-session'
  | 'check-not-exists';

export interface KvOp {
  Verb: KvVerb;
  Key: string;
  /** Base64 value (or null/undefined for empty). */
  Value?: string | null;
  Flags?: number | string;
  Index?: number;
  Session?: string;
}

export interface NodeRegistration {
  ID?: string;
  Node: string;
  Address: string;
  TaggedAddresses?: Record<string, string>;
  NodeMeta?: Record<string, string>;
  SkipNodeUpdate?: boolean;
  Service?: ServiceRegistration;
  Check?: CheckRegistration;
  Checks?: CheckRegistration[];
}

export interface ServiceRegistration {
  ID?: string;
  Service: string;
  Tags?: string[];
  Address?: string;
  TaggedAddresses?: Record<string, { Address: string; Port: number }>;
  Meta?: Record<string, string>;
  Port?: number;
  Weights?: Weights;
  EnableTagOverride?: boolean;
  Kind?: string;
}

export interface CheckRegistration {
  Node?: string;
  CheckID?: string;
  Name?: string;
  Status?: HealthStatus;
  Notes?: string;
  Output?: string;
  ServiceID?: string;
  Type?: string;
  Interval?: string;
  Timeout?: string;
  Definition?: Record<string, unknown>;
}

export interface NodeDeregistration {
  Node: string;
  ServiceID?: string;
  CheckID?: string;
}

export interface SessionCreate {
  ID: string;
  Name?: string;
  Node: string;
  LockDelay: number;
  Behavior: SessionBehavior;
  TTL: string;
  NodeChecks: string[] | null;
  ServiceChecks: { ID: string }[] | null;
}

/** The verbs of Node, Service and Check operations in a transaction (Consul's api.NodeOp etc.). */
export type CatalogTxnVerb = 'set' | 'cas' | 'get' | 'delete' | 'delete-cas';

export interface NodeTxnOp {
  Verb: CatalogTxnVerb;
  Node: {
    ID?: string;
    Node: string;
    Address?: string;
    TaggedAddresses?: Record<string, string>;
    Meta?: Record<string, string>;
    /** For `cas` and `delete-cas`: the ModifyIndex the node must have (0 = must not exist, for `cas`). */
    ModifyIndex?: number;
  };
}

export interface ServiceTxnOp {
  Verb: CatalogTxnVerb;
  /** The node the service instance is on. */
  Node: string;
  Service: ServiceRegistration & { ModifyIndex?: number };
}

export interface CheckTxnOp {
  Verb: CatalogTxnVerb;
  Check: CheckRegistration & { Node: string; ModifyIndex?: number };
}

export interface SessionTxnOp {
  Verb: 'delete';
  Session: { ID: string };
}

/** One operation of a transaction: exactly one of the keys, as in Consul's TxnOp. */
export type TxnOp = { KV: KvOp } | { Node: NodeTxnOp } | { Service: ServiceTxnOp } | { Check: CheckTxnOp } | { Session: SessionTxnOp };

/** One result of a transaction: the entry an operation read or wrote. */
export type TxnResultItem = { KV: KvEntry } | { Node: NodeEntry } | { Service: ServiceEntry } | { Check: CheckEntry };

/**
 * Autopilot's settings as Consul's `/v1/operator/autopilot/configuration` shows them; durations
 * travel as Go duration strings ("200ms", "10s").
 */
export interface AutopilotConfig {
  CleanupDeadServers: boolean;
  LastContactThreshold: string;
  MaxTrailingLogs: number;
  MinQuorum: number;
  ServerStabilizationTime: string;
  RedundancyZoneTag: string;
  DisableUpgradeMigration: boolean;
  UpgradeVersionTag: string;
}

export interface AutopilotConfigEntry extends AutopilotConfig {
  CreateIndex: number;
  ModifyIndex: number;
}

export type Command = (
  | { type: 'kv'; op: KvOp }
  /** A transaction; a bare KvOp element (the form logs written before other op kinds hold) is a KV op. */
  | { type: 'txn'; ops: (TxnOp | KvOp)[] }
  | { type: 'session-create'; session: SessionCreate }
  | { type: 'session-destroy'; id: string }
  | { type: 'register'; reg: NodeRegistration }
  | { type: 'deregister'; dereg: NodeDeregistration }
  | { type: 'tombstone-reap'; upTo: number }
  | { type: 'check-status'; node: string; checkId: string; status: HealthStatus; output: string }
  /** Upserts coordinates; entries for unknown nodes or with non-finite numbers are skipped. */
  | { type: 'coordinate-batch-update'; updates: CoordinateEntry[] }
  /** Creates or replaces a prepared query (ID set by the proposer; indexes set on apply). */
  | { type: 'query-set'; op: 'create' | 'update'; query: PreparedQuery }
  /** Deletes a prepared query by ID; answers whether it existed. */
  | { type: 'query-delete'; id: string }
  /**
   * Stores autopilot's settings. With `cas`, only when the stored entry's ModifyIndex equals it
   * (`cas: 0`: only when none is stored); answers whether it was stored.
   */
  | { type: 'autopilot-set'; config: AutopilotConfig; cas?: number }
  /** Replaces the whole state with a saved snapshot (`concord snapshot restore`). */
  | { type: 'restore'; snapshot: StateSnapshot }
  | AclCommand
) & {
  /** Wall-clock milliseconds at the proposer; makes lock-delays deterministic on every replica. */
  time?: number;
};

export interface TxnError {
  OpIndex: number;
  What: string;
}

export interface TxnResult {
  Results: TxnResultItem[] | null;
  Errors: TxnError[] | null;
}

/** A link from a token or role to a policy or role, by ID (names are filled in on read). */
export interface AclLink {
  ID: string;
  Name: string;
}

/** An ACL token, in the shape of Consul's `api.ACLToken`. */
/** Consul's service identity: a policy template granting write on one service (and its sidecar proxy). */
export interface AclServiceIdentity {
  ServiceName: string;
  /** Where the identity applies; absent or empty for every datacenter. */
  Datacenters?: string[];
}

/** Consul's node identity: a policy template granting write on one node in one datacenter. */
export interface AclNodeIdentity {
  NodeName: string;
  Datacenter: string;
}

export interface AclToken {
  AccessorID: string;
  SecretID: string;
  Description: string;
  Policies: AclLink[];
  Roles: AclLink[];
  ServiceIdentities?: AclServiceIdentity[];
  NodeIdentities?: AclNodeIdentity[];
  Local: boolean;
  /** RFC 3339; absent for tokens that never expire. */
  ExpirationTime?: string;
  CreateTime: string;
  Hash: string;
  CreateIndex: number;
  ModifyIndex: number;
}

/** An ACL policy, in the shape of Consul's `api.ACLPolicy`. */
export interface AclPolicy {
  ID: string;
  Name: string;
  Description: string;
  Rules: string;
  Datacenters: string[];
  Hash: string;
  CreateIndex: number;
  ModifyIndex: number;
}

/** An ACL role, in the shape of Consul's `api.ACLRole`. */
export interface AclRole {
  ID: string;
  Name: string;
  Description: string;
  Policies: AclLink[];
  ServiceIdentities?: AclServiceIdentity[];
  NodeIdentities?: AclNodeIdentity[];
  Hash: string;
  CreateIndex: number;
  ModifyIndex: number;
}

export type AclCommand =
  /** Creates (`op: 'create'`, the accessor and secret unused) or replaces a token (indexes set on apply). */
  | { type: 'acl-token-set'; op: 'create' | 'update'; token: AclToken }
  | { type: 'acl-token-delete'; accessorId: string }
  | { type: 'acl-policy-set'; op: 'create' | 'update'; policy: AclPolicy }
  | { type: 'acl-policy-delete'; id: string }
  | { type: 'acl-role-set'; op: 'create' | 'update'; role: AclRole }
  | { type: 'acl-role-delete'; id: string }
  /**
   * The one-time bootstrap: stores the token and the bootstrap marker. Refused once bootstrapped,
   * unless `resetIndex` names the marker's index (Consul's `acl-bootstrap-reset` file).
   */
  | { type: 'acl-bootstrap'; token: AclToken; resetIndex?: number }
  /** Stores each policy and token that does not exist yet (the leader's built-ins); never replaces. */
  | { type: 'acl-init'; policies: AclPolicy[]; tokens: AclToken[] }
  /**
   * One batch of ACL replication from the primary datacenter (a secondary leader's own command):
   * deletes by ID, then upserts taken as the primary has them (links to entries not replicated yet
   * are kept, and named once those arrive, as Consul's AllowMissingLinks).
   */
  | AclReplicateCommand;

export type AclReplicateCommand =
  | { type: 'acl-replicate'; table: 'policies'; upserts: AclPolicy[]; deletes: string[] }
  | { type: 'acl-replicate'; table: 'roles'; upserts: AclRole[]; deletes: string[] }
  | { type: 'acl-replicate'; table: 'tokens'; upserts: AclToken[]; deletes: string[] };
