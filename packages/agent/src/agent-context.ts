import type { Command, NetworkCoordinate } from '@concord/state';
import type { Logger } from 'pino';
import type { AclReplicationStatus } from './acl/replication-status.js';
import type { AclResolver } from './acl/resolver.js';
import type { AgentConfig } from './config/config.js';
import type { EventBuffer } from './events/event-buffer.js';
import type { UserEvents } from './events/user-events.js';
import type { QuerySource } from './rpc/blocking.js';
import type { RpcRouter } from './rpc/router.js';
import type { CallOptions } from './rpc/query-options.js';
import type { LocalState } from './local/local-state.js';
import type { LogHub } from './log/log-hub.js';
import type { Telemetry } from './telemetry/telemetry.js';
import type { Cluster } from './cluster/cluster.js';
import type { DatacenterRouter } from './cluster/datacenter-router.js';
import type { WanMembership } from './cluster/wan-membership.js';
import type { SessionTimers } from './server/session-timers.js';
import type { StateServer, WriteResult } from './server/state-server.js';

/** A gossip member as `/v1/agent/members` reports it. */
export interface MemberInfo {
  Name: string;
  Addr: string;
  Port: number;
  Tags: Record<string, string>;
  Status: number;
  ProtocolMin: number;
  ProtocolMax: number;
  ProtocolCur: number;
  DelegateMin: number;
  DelegateMax: number;
  DelegateCur: number;
}

/** The `Status` of a MemberInfo: serf's member states. */
export const MEMBER_STATUS = { none: 0, alive: 1, leaving: 2, left: 3, failed: 4 } as const;

/** Everything the agent-local HTTP endpoints need from the running agent, server or client. */
export interface AgentContext {
  readonly config: AgentConfig;
  /** Resolves ACL tokens to authorizers (allows everything when ACLs are off). */
  readonly acl: AclResolver;
  /** The replicated state, on servers only (client agents forward state requests). */
  readonly server: StateServer | undefined;
  readonly cluster: Cluster;
  readonly local: LocalState;
  /** The user events this agent received, for `/v1/event/list`. */
  readonly events: EventBuffer;
  /** Fires user events to the cluster by gossip. */
  readonly userEvents: UserEvents;
  readonly logger: Logger;
  /** Metrics under Consul's names (`/v1/agent/metrics`). */
  readonly telemetry: Telemetry;
  /** Where log lines go (monitors attach here); undefined when the embedder supplied the logger. */
  readonly logs: LogHub | undefined;
  readonly startedAt: number;
  /**
   * Blocking reads parked by the HTTP fast path (their key's wait list holds one state watcher
   * for all of them): counted beside the state's watchers in `concord_state_watchers`.
   */
  readonly parkedReads: { count: number };
  readonly version: string;
  /** `<advertise>:<server port>` of this agent's RPC listener. */
  readonly serverAddress: string;
  members(): MemberInfo[];
  /** The servers' WAN gossip pool: on servers with `ports.serf_wan` on, else undefined. */
  readonly wan: WanMembership | undefined;
  /** This agent's LAN network coordinate, as gossip measures it. */
  coordinate(): NetworkCoordinate;
  /** Calls typed server methods, wherever they must be answered. */
  readonly rpc: RpcRouter;
  /**
   * Applies a command through the leader, by its write method (`KVS.Apply`, ...); throws
   * HttpError when the state machine refuses it. `options` carry a request's token.
   */
  write(command: Command, options?: Partial<CallOptions>): Promise<WriteResult>;
  reload(): Promise<void>;
  leave(): Promise<void>;
}

/** What the endpoints that read the replicated state need: only servers register them. */
export interface ServerContext extends AgentContext {
  readonly server: StateServer;
  /**
   * Applies a command on this server (through raft, passing it to the leader if it must: then
   * with `token`, the caller's, which the leader checks again as for any forwarded write).
   */
  apply(command: Command, token?: string): Promise<WriteResult>;
  readonly sessionTimers: SessionTimers;
  readonly query: QuerySource;
  /** Sends requests for other datacenters to their servers. */
  readonly datacenters: DatacenterRouter;
  /** ACL replication from the primary, as this server's leadership runs it (zero in the primary). */
  readonly aclReplication: AclReplicationStatus;
}
