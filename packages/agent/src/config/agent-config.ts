/** The shape of the resolved agent configuration; config.ts builds it. */
import type { AutopilotConfig } from '@concord/state';
import type { TelemetryConfig } from '../telemetry/telemetry.js';
import type { WatchDefinition } from '../watches.js';
import type { AclConfig } from './acl-config.js';
import type { InputBounds } from './limits-config.js';
import type { SecurityConfig } from './security-config.js';
import type { TlsSettings } from './tls-settings.js';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/** The resolved agent configuration (flags over config files over defaults). */
export interface AgentConfig {
  dev: boolean;
  server: boolean;
  bootstrap: boolean;
  bootstrapExpect: number;
  nodeName: string;
  nodeId: string;
  datacenter: string;
  dataDir: string | undefined;
  bindAddr: string;
  advertiseAddr: string;
  /** The first of `clientAddrs`. */
  clientAddr: string;
  /** `-client`/`client_addr`, templates evaluated: HTTP and DNS listen on each by default. */
  clientAddrs: string[];
  /** The first of `httpAddrs`. */
  httpAddr: string;
  /** Where the HTTP API listens (`addresses.http`, else the client addresses). */
  httpAddrs: string[];
  /** The first of `httpsAddrs`. */
  httpsAddr: string;
  /** Where HTTPS listens when `ports.https` is on (`addresses.https`, else the client addresses). */
  httpsAddrs: string[];
  /** The first of `dnsAddrs`. */
  dnsAddr: string;
  /** Where DNS listens (`addresses.dns`, else the client addresses). */
  dnsAddrs: string[];
  /** -1 turns a listener off (`https` is off unless configured). */
  /** `serfWan`: the servers' WAN gossip port (8302; -1 off; 0 any free port). */
  ports: { http: number; https: number; dns: number; server: number; serfLan: number; serfWan: number };
  /**
   * `-advertise-wan`/`advertise_addr_wan`: the address WAN members reach this server at, and on
   * every agent its node's `wan` tagged address (what `translate_wan_addrs` answers elsewhere).
   */
  advertiseAddrWan: string;
  /** `-join-wan`/`start_join_wan`: WAN pool members joined at start (servers only). */
  startJoinWan: string[];
  /** `-retry-join-wan`/`retry_join_wan`: WAN pool members joined in the background until one answers. */
  retryJoinWan: string[];
  /**
   * `translate_wan_addrs`: HTTP and DNS answers about nodes and services of other datacenters
   * carry their `wan` tagged addresses (and ports) instead of their LAN ones.
   */
  translateWanAddrs: boolean;
  /** `tls` block and the older top-level TLS keys. */
  tls: TlsSettings;
  domain: string;
  altDomain: string | undefined;
  recursors: string[];
  /** The raw `dns_config` block, validated by the DNS module. */
  dnsConfig: Record<string, unknown>;
  nodeMeta: Record<string, string>;
  /** `-join`/`start_join`: joined at start; the agent fails to start if none answers. */
  startJoin: string[];
  /** `-retry-join`/`retry_join`: joined in the background until one answers. */
  retryJoin: string[];
  retryIntervalMs: number;
  /** Rounds of retry-join before giving up; 0 retries forever. */
  retryMax: number;
  /** Leave the cluster gracefully on SIGTERM (default: clients yes, servers no). */
  leaveOnTerminate: boolean;
  /** Skip the graceful leave on SIGINT (default: servers yes, clients no). */
  skipLeaveOnInterrupt: boolean;
  /** Autopilot's `cleanup_dead_servers`: remove servers failed for a while from raft. */
  cleanupDeadServers: boolean;
  /** The `telemetry` block (metric names, host name in gauges, Prometheus retention). */
  telemetry: TelemetryConfig;
  /** The `autopilot` block: what the first leader stores as autopilot's replicated settings. */
  autopilot: AutopilotConfig;
  /** `performance.raft_multiplier`: scales raft timing (1 = 100 ms ticks, elections in 1-2 s). */
  raftMultiplier: number;
  /** `raft_snapshot_threshold`: applied entries between raft snapshots. */
  raftSnapshotThreshold: number;
  /** `check_update_interval`: how often output-only check changes reach the catalog. */
  checkUpdateIntervalMs: number;
  /** `raft_snapshot_interval`: least time between two snapshots of one server. */
  raftSnapshotIntervalMs: number;
  /** `raft_trailing_logs`: entries kept behind a snapshot for slow followers. */
  raftTrailingLogs: number;
  /** `gossip_lan` overrides, in the gossip package's names (milliseconds). */
  gossipLan: Record<string, number>;
  /** `gossip_wan` overrides of the WAN profile, likewise. */
  gossipWan: Record<string, number>;
  logLevel: LogLevel;
  logJson: boolean;
  enableScriptChecks: boolean;
  enableLocalScriptChecks: boolean;
  /** Service and check definitions from config files (agent-local, raw JSON). */
  services: Record<string, unknown>[];
  checks: Record<string, unknown>[];
  kvMaxValueSize: number;
  txnMaxReqLen: number;
  sessionTtlMinMs: number;
  /** `sync_coordinate_interval_min`: least time between two coordinate updates of this agent. */
  syncCoordinateIntervalMinMs: number;
  /** `sync_coordinate_rate_target`: coordinate updates per second the whole cluster aims at. */
  syncCoordinateRateTarget: number;
  defaultQueryTimeMs: number;
  maxQueryTimeMs: number;
  responseHeaders: Record<string, string>;
  blockEndpoints: string[];
  pidFile: string | undefined;
  encrypt: string | undefined;
  /** Serve the web UI under /ui/ (`-ui`, `ui_config.enabled`; on by default with `-dev`). */
  ui: boolean;
  /** `-ui-dir`/`ui_config.dir`: a directory of UI files served instead of the built-in UI. */
  uiDir: string | undefined;
  /** `watches`: watch plans run against this agent's HTTP API. */
  watches: WatchDefinition[];
  /** `encrypt_verify_incoming` / `encrypt_verify_outgoing`. */
  security: SecurityConfig;
  /** The `acl` block (and Consul's legacy ACL keys). */
  acl: AclConfig;
  /** Connection, body and snapshot bounds from the `limits` block. */
  bounds: InputBounds;
}
