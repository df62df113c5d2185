import { randomUUID } from 'node:crypto';
import { parseWatchDefinition, type WatchDefinition } from '../watches.js';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { formatDuration, type FlagSpecs, parseGoFlags } from '@concord/goflags';
import type { AutopilotConfig } from '@concord/state';
import type { TelemetryConfig } from '../telemetry/telemetry.js';
import { readHclFile } from './hcl.js';
import { ConfigError } from './config-error.js';
import { bool, dur, str } from './json-fields.js';
import { LEGACY_TLS_KEYS, type TlsSettings, resolveTlsSettings } from './tls-settings.js';
import { AddressConfigError, expandFirstIp, expandIps, expandJoinAddrs, expandSingleIp } from '../net/address-expansion.js';
import { AdvertiseAddressError, detectAdvertiseAddress, isAnyAddress } from '../net/advertise-address.js';
import { type InterfaceTable, hostInterfaces } from '../net/interface-table.js';
import { type InputBounds, inputBounds } from './limits-config.js';
import { type AclConfig, aclConfig } from './acl-config.js';
import { LEGACY_ACL_KEYS, type SecurityConfig, securityConfig } from './security-config.js';

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

export { ConfigError };

export const agentFlagSpecs: FlagSpecs = {
  dev: { kind: 'boolean' },
  server: { kind: 'boolean' },
  bootstrap: { kind: 'boolean' },
  'bootstrap-expect': { kind: 'number' },
  node: { kind: 'string' },
  'node-id': { kind: 'string' },
  'node-meta': { kind: 'list' },
  datacenter: { kind: 'string' },
  'data-dir': { kind: 'string' },
  bind: { kind: 'string' },
  advertise: { kind: 'string' },
  client: { kind: 'string' },
  'http-port': { kind: 'number' },
  'https-port': { kind: 'number' },
  'dns-port': { kind: 'number' },
  'server-port': { kind: 'number' },
  'serf-lan-port': { kind: 'number' },
  'serf-wan-port': { kind: 'number' },
  'advertise-wan': { kind: 'string' },
  'join-wan': { kind: 'list' },
  'retry-join-wan': { kind: 'list' },
  'config-file': { kind: 'list' },
  'config-dir': { kind: 'list' },
  'config-format': { kind: 'string' },
  'log-level': { kind: 'string' },
  'log-json': { kind: 'boolean' },
  domain: { kind: 'string' },
  'alt-domain': { kind: 'string' },
  recursor: { kind: 'list' },
  join: { kind: 'list' },
  'retry-join': { kind: 'list' },
  'retry-interval': { kind: 'string' },
  'retry-max': { kind: 'number' },
  'enable-script-checks': { kind: 'boolean' },
  'enable-local-script-checks': { kind: 'boolean' },
  'pid-file': { kind: 'string' },
  ui: { kind: 'boolean' },
  'ui-dir': { kind: 'string' },
  encrypt: { kind: 'string' },
  'default-query-time': { kind: 'string' },
  'max-query-time': { kind: 'string' },
};

/** Config-file keys this agent understands; others that Consul knows are accepted and ignored. */
const KNOWN_KEYS = new Set([
  'datacenter',
  'data_dir',
  'node_name',
  'node_id',
  'server',
  'bootstrap',
  'bootstrap_expect',
  'bind_addr',
  'advertise_addr',
  'client_addr',
  'addresses',
  'ports',
  'retry_join',
  'start_join',
  'log_level',
  'log_json',
  'recursors',
  'dns_config',
  'domain',
  'alt_domain',
  'node_meta',
  'enable_local_script_checks',
  'enable_script_checks',
  'services',
  'service',
  'checks',
  'check',
  'limits',
  'session_ttl_min',
  'default_query_time',
  'max_query_time',
  'http_config',
  'pid_file',
  'encrypt',
  'ui',
  'ui_dir',
  'ui_config',
  'tls',
  ...LEGACY_TLS_KEYS,
  'encrypt_verify_incoming',
  'encrypt_verify_outgoing',
  'check_update_interval',
  'watches',
  'raft_snapshot_threshold',
  'raft_snapshot_interval',
  'raft_trailing_logs',
  'retry_interval',
  'retry_max',
  'sync_coordinate_interval_min',
  'sync_coordinate_rate_target',
  'leave_on_terminate',
  'skip_leave_on_interrupt',
  'autopilot',
  'performance',
  'gossip_lan',
  'telemetry',
  'gossip_wan',
  'start_join_wan',
  'retry_join_wan',
  'advertise_addr_wan',
  'translate_wan_addrs',
]);
const IGNORED_KEYS = new Set([
  'rejoin_after_leave',
  'reconnect_timeout',
  'disable_update_check',
  'acl',
  'raft_protocol',
  'discovery_max_stale',
  'log_file',
  'enable_debug',
  'primary_datacenter',
  'server_name',
  'disable_remote_exec',
  'connect',
  'license_path',
  ...LEGACY_ACL_KEYS,
]);
const LOG_LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error']);

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Merges config objects as Consul does: scalars replaced, lists appended, objects merged. */
export function mergeConfig(base: Json, next: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(next)) {
    const prev = out[k];
    if (Array.isArray(prev) && Array.isArray(v)) out[k] = [...prev, ...v];
    else if (isObject(prev) && isObject(v) && k !== 'service' && k !== 'check') out[k] = mergeConfig(prev, v);
    else if ((k === 'service' || k === 'check') && prev !== undefined) out[k] = [...asArray(prev), ...asArray(v)];
    else out[k] = v;
  }
  return out;
}

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [v];
}

function readConfigFile(path: string): Json {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`Error loading ${path}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = path.endsWith('.hcl') ? readHclFile(path) : JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`Error parsing ${path}: ${(err as Error).message.replace(/\s*\n\s*/g, ' ').trim()}`);
  }
  if (!isObject(parsed)) throw new ConfigError(`Error parsing ${path}: top level must be an object`);
  for (const key of Object.keys(parsed)) {
    if (!KNOWN_KEYS.has(key) && !IGNORED_KEYS.has(key)) {
      throw new ConfigError(`Error parsing ${path}: invalid config key ${key}`);
    }
  }
  return parsed;
}

/** Loads and merges `-config-file` and `-config-dir` (JSON and HCL files, alphabetical, no recursion). */
export function loadConfigFiles(files: readonly string[], dirs: readonly string[]): Json {
  let merged: Json = {};
  const paths: string[] = [];
  for (const f of files) paths.push(f);
  for (const d of dirs) {
    let entries: string[];
    try {
      entries = readdirSync(d).sort();
    } catch (err) {
      throw new ConfigError(`Error loading ${d}: ${(err as Error).message}`);
    }
    for (const e of entries) {
      const p = join(d, e);
      if ((e.endsWith('.json') || e.endsWith('.hcl')) && statSync(p).isFile()) paths.push(p);
    }
  }
  for (const p of paths) merged = mergeConfig(merged, readConfigFile(p));
  return merged;
}

function int(v: unknown, key: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new ConfigError(`${key} must be an integer`);
  return v;
}

function strList(v: unknown, key: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new ConfigError(`${key} must be a list of strings`);
  return v as string[];
}

function strMap(v: unknown, key: string): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isObject(v) || Object.values(v).some((x) => typeof x !== 'string')) {
    throw new ConfigError(`${key} must be a map of strings`);
  }
  return v as Record<string, string>;
}

/** The `telemetry` block: Consul's keys this agent honours (others, e.g. statsd sinks, are accepted and unused). */
function telemetryBlock(t: Json): TelemetryConfig {
  const prefix = str(t.metrics_prefix, 'telemetry.metrics_prefix') ?? 'consul';
  if (!/^[A-Za-z0-9_.:-]*$/.test(prefix)) throw new ConfigError(`telemetry.metrics_prefix: invalid prefix ${JSON.stringify(prefix)}`);
  return {
    metricsPrefix: prefix,
    disableHostname: bool(t.disable_hostname, 'telemetry.disable_hostname') ?? false,
    prometheusRetentionMs: dur(t.prometheus_retention_time, 'telemetry.prometheus_retention_time') ?? 0,
  };
}

/** The `autopilot` block with Consul's defaults. */
function autopilotBlock(a: Json): AutopilotConfig {
  const count = (v: unknown, key: string) => {
    const n = int(v, key);
    if (n !== undefined && n < 0) throw new ConfigError(`${key} must not be negative`);
    return n;
  };
  return {
    CleanupDeadServers: bool(a.cleanup_dead_servers, 'autopilot.cleanup_dead_servers') ?? true,
    LastContactThreshold: formatDuration(dur(a.last_contact_threshold, 'autopilot.last_contact_threshold') ?? 200),
    MaxTrailingLogs: count(a.max_trailing_logs, 'autopilot.max_trailing_logs') ?? 250,
    MinQuorum: count(a.min_quorum, 'autopilot.min_quorum') ?? 0,
    ServerStabilizationTime: formatDuration(dur(a.server_stabilization_time, 'autopilot.server_stabilization_time') ?? 10_000),
    RedundancyZoneTag: str(a.redundancy_zone_tag, 'autopilot.redundancy_zone_tag') ?? '',
    DisableUpgradeMigration: bool(a.disable_upgrade_migration, 'autopilot.disable_upgrade_migration') ?? false,
    UpgradeVersionTag: str(a.upgrade_version_tag, 'autopilot.upgrade_version_tag') ?? '',
  };
}

function objectList(v: unknown, key: string): Json[] {
  if (v === undefined || v === null) return [];
  const list = asArray(v);
  if (list.some((x) => !isObject(x))) throw new ConfigError(`${key} must be objects`);
  return list as Json[];
}

export interface ResolveOptions {
  /** The network interfaces templates and address detection look at (the host's by default). */
  interfaces?: () => InterfaceTable;
  /** Only check the configuration: nothing is written (a new node ID is not saved). */
  readonly checkOnly?: boolean;
}

/** Runs an address step, turning its errors into ConfigError. */
function addressStep<T>(step: () => T): T {
  try {
    return step();
  } catch (err) {
    if (err instanceof AddressConfigError || err instanceof AdvertiseAddressError) throw new ConfigError(err.message);
    throw err;
  }
}

/** Builds the agent configuration from command-line arguments (and the files they name). */
export function resolveAgentConfig(argv: readonly string[], options: ResolveOptions = {}): AgentConfig {
  const { values: f, positionals } = parseGoFlags(argv, agentFlagSpecs);
  if (positionals.length > 0) throw new ConfigError(`Unexpected argument: ${positionals[0]}`);
  const file = loadConfigFiles((f['config-file'] as string[]) ?? [], (f['config-dir'] as string[]) ?? []);
  const addresses = isObject(file.addresses) ? file.addresses : {};
  const ports = isObject(file.ports) ? file.ports : {};
  const limits = isObject(file.limits) ? file.limits : {};
  const httpConfig = isObject(file.http_config) ? file.http_config : {};
  const autopilot = isObject(file.autopilot) ? file.autopilot : {};
  const performance = isObject(file.performance) ? file.performance : {};

  const security = securityConfig(file);
  const dev = (f.dev as boolean | undefined) ?? false;
  const server = (f.server as boolean | undefined) ?? bool(file.server, 'server') ?? dev;
  const bootstrap = (f.bootstrap as boolean | undefined) ?? bool(file.bootstrap, 'bootstrap') ?? false;
  const bootstrapExpect = (f['bootstrap-expect'] as number | undefined) ?? int(file.bootstrap_expect, 'bootstrap_expect') ?? 0;
  const dataDir = (f['data-dir'] as string | undefined) ?? str(file.data_dir, 'data_dir');
  const logLevel = ((f['log-level'] as string | undefined) ?? str(file.log_level, 'log_level') ?? (dev ? 'debug' : 'info')).toLowerCase();
  if (!LOG_LEVELS.has(logLevel)) throw new ConfigError(`Invalid log level: ${logLevel}`);
  const datacenter = ((f.datacenter as string | undefined) ?? str(file.datacenter, 'datacenter') ?? 'dc1').toLowerCase();
  if (!/^[a-z0-9_-]+$/.test(datacenter)) {
    throw new ConfigError(`datacenter can only contain lowercase alphanumeric, - or _ characters.`);
  }
  const nodeMeta = { ...strMap(file.node_meta, 'node_meta') };
  for (const kv of (f['node-meta'] as string[]) ?? []) {
    const at = kv.indexOf(':');
    if (at <= 0) throw new ConfigError(`-node-meta must be of the form key:value, got ${kv}`);
    nodeMeta[kv.slice(0, at)] = kv.slice(at + 1);
  }

  if (server && !dev && bootstrapExpect === 0 && !bootstrap) {
    // A server with neither flag waits to be joined into an existing cluster (cluster issue).
  }
  if (bootstrap && bootstrapExpect > 0) throw new ConfigError('Bootstrap cannot be provided with an expected server count');
  if (bootstrapExpect < 0) throw new ConfigError('bootstrap_expect cannot be negative');
  if (bootstrapExpect > 0 && !server) throw new ConfigError(`bootstrap_expect = ${bootstrapExpect} not allowed without server mode`);
  if (!dev && !dataDir) throw new ConfigError('data_dir cannot be empty');

  const portOf = (flag: string, key: string, dflt: number) => {
    const v = (f[flag] as number | undefined) ?? int(ports[key], `ports.${key}`) ?? dflt;
    if (v < -1 || v > 65535) throw new ConfigError(`ports.${key}: invalid port ${v}`);
    return v;
  };
  let tableRead: InterfaceTable | undefined;
  const table = () => {
    tableRead ??= (options.interfaces ?? hostInterfaces)();
    return tableRead;
  };
  const clientRaw = (f.client as string | undefined) ?? str(file.client_addr, 'client_addr') ?? '127.0.0.1';
  const clientAddrs = addressStep(() => expandIps('client_addr', clientRaw, table));
  if (clientAddrs.length === 0) throw new ConfigError(`client_addr cannot be empty: ${JSON.stringify(clientRaw)} names no address`);
  const bindAddr = addressStep(() => expandSingleIp('bind_addr', (f.bind as string | undefined) ?? str(file.bind_addr, 'bind_addr') ?? (dev ? '127.0.0.1' : '0.0.0.0'), table));
  // With no -advertise, an agent bound to every address advertises the host's one private IPv4.
  const advertiseAddr = addressStep(
    () =>
      expandFirstIp('advertise_addr', (f.advertise as string | undefined) ?? str(file.advertise_addr, 'advertise_addr'), table) ??
      (isAnyAddress(bindAddr) ? detectAdvertiseAddress(bindAddr, table()) : bindAddr),
  );
  const listenAddrs = (key: 'http' | 'https' | 'dns'): string[] => {
    const raw = str(addresses[key], `addresses.${key}`);
    if (raw === undefined) return clientAddrs;
    const list = addressStep(() => expandIps(`addresses.${key}`, raw, table));
    if (list.length === 0) throw new ConfigError(`addresses.${key} cannot be empty: ${JSON.stringify(raw)} names no address`);
    return list;
  };
  const httpAddrs = listenAddrs('http');
  const httpsAddrs = listenAddrs('https');
  const dnsAddrs = listenAddrs('dns');

  const queryTime = (flag: string, key: string, dflt: number) => {
    const raw = (f[flag] as string | undefined) ?? file[key];
    return dur(raw, key) ?? dflt;
  };

  return {
    dev,
    server,
    bootstrap: bootstrap || bootstrapExpect === 1 || dev,
    bootstrapExpect,
    nodeName: (f.node as string | undefined) ?? str(file.node_name, 'node_name') ?? hostname(),
    nodeId: (f['node-id'] as string | undefined) ?? str(file.node_id, 'node_id') ?? persistedNodeId(dev ? undefined : dataDir, options.checkOnly === true),
    datacenter,
    dataDir,
    bindAddr,
    advertiseAddr,
    clientAddr: clientAddrs[0] as string,
    clientAddrs,
    httpAddr: httpAddrs[0] as string,
    httpAddrs,
    httpsAddr: httpsAddrs[0] as string,
    httpsAddrs,
    dnsAddr: dnsAddrs[0] as string,
    dnsAddrs,
    ports: {
      http: portOf('http-port', 'http', 8500),
      https: portOf('https-port', 'https', -1),
      dns: portOf('dns-port', 'dns', 8600),
      server: portOf('server-port', 'server', 8300),
      serfLan: portOf('serf-lan-port', 'serf_lan', 8301),
      serfWan: portOf('serf-wan-port', 'serf_wan', 8302),
    },
    advertiseAddrWan: addressStep(
      () => expandFirstIp('advertise_addr_wan', (f['advertise-wan'] as string | undefined) ?? str(file.advertise_addr_wan, 'advertise_addr_wan'), table) ?? advertiseAddr,
    ),
    startJoinWan: addressStep(() => expandJoinAddrs('start_join_wan', [...strList(file.start_join_wan, 'start_join_wan'), ...((f['join-wan'] as string[]) ?? [])], table)),
    retryJoinWan: addressStep(() => expandJoinAddrs('retry_join_wan', [...strList(file.retry_join_wan, 'retry_join_wan'), ...((f['retry-join-wan'] as string[]) ?? [])], table)),
    domain: normalizeDomain((f.domain as string | undefined) ?? str(file.domain, 'domain') ?? 'consul.'),
    altDomain: ((a) => (a ? normalizeDomain(a) : undefined))((f['alt-domain'] as string | undefined) ?? str(file.alt_domain, 'alt_domain')),
    recursors: [...strList(file.recursors, 'recursors'), ...((f.recursor as string[]) ?? [])],
    dnsConfig: isObject(file.dns_config) ? file.dns_config : {},
    nodeMeta,
    startJoin: addressStep(() => expandJoinAddrs('start_join', [...strList(file.start_join, 'start_join'), ...((f.join as string[]) ?? [])], table)),
    retryJoin: addressStep(() => expandJoinAddrs('retry_join', [...strList(file.retry_join, 'retry_join'), ...((f['retry-join'] as string[]) ?? [])], table)),
    retryIntervalMs: dur(f['retry-interval'] ?? file.retry_interval, 'retry_interval') ?? 30_000,
    retryMax: (f['retry-max'] as number | undefined) ?? int(file.retry_max, 'retry_max') ?? 0,
    leaveOnTerminate: bool(file.leave_on_terminate, 'leave_on_terminate') ?? !server,
    skipLeaveOnInterrupt: bool(file.skip_leave_on_interrupt, 'skip_leave_on_interrupt') ?? server,
    cleanupDeadServers: bool(autopilot.cleanup_dead_servers, 'autopilot.cleanup_dead_servers') ?? true,
    autopilot: autopilotBlock(autopilot),
    telemetry: telemetryBlock(isObject(file.telemetry) ? file.telemetry : {}),
    raftMultiplier: positiveInt(performance.raft_multiplier, 'performance.raft_multiplier', 10) ?? 1,
    raftSnapshotThreshold: positiveInt(file.raft_snapshot_threshold, 'raft_snapshot_threshold', 2 ** 31) ?? 16384,
    checkUpdateIntervalMs: dur(file.check_update_interval, 'check_update_interval') ?? 5 * 60_000,
    raftSnapshotIntervalMs: dur(file.raft_snapshot_interval, 'raft_snapshot_interval') ?? 30_000,
    raftTrailingLogs: positiveInt(file.raft_trailing_logs, 'raft_trailing_logs', 2 ** 31) ?? 10240,
    gossipLan: gossipOverrides('gossip_lan', isObject(file.gossip_lan) ? file.gossip_lan : {}),
    gossipWan: gossipOverrides('gossip_wan', isObject(file.gossip_wan) ? file.gossip_wan : {}),
    translateWanAddrs: bool(file.translate_wan_addrs, 'translate_wan_addrs') ?? false,
    logLevel: logLevel as LogLevel,
    logJson: (f['log-json'] as boolean | undefined) ?? bool(file.log_json, 'log_json') ?? false,
    enableScriptChecks: (f['enable-script-checks'] as boolean | undefined) ?? bool(file.enable_script_checks, 'enable_script_checks') ?? false,
    enableLocalScriptChecks: (f['enable-local-script-checks'] as boolean | undefined) ?? bool(file.enable_local_script_checks, 'enable_local_script_checks') ?? false,
    services: [...objectList(file.services, 'services'), ...objectList(file.service, 'service')],
    checks: [...objectList(file.checks, 'checks'), ...objectList(file.check, 'check')],
    kvMaxValueSize: int(limits.kv_max_value_size, 'limits.kv_max_value_size') ?? 512 * 1024,
    txnMaxReqLen: int(limits.txn_max_req_len, 'limits.txn_max_req_len') ?? 512 * 1024,
    sessionTtlMinMs: dur(file.session_ttl_min, 'session_ttl_min') ?? 10_000,
    syncCoordinateIntervalMinMs: dur(file.sync_coordinate_interval_min, 'sync_coordinate_interval_min') ?? 15_000,
    syncCoordinateRateTarget: positiveNumber(file.sync_coordinate_rate_target, 'sync_coordinate_rate_target') ?? 64,
    defaultQueryTimeMs: queryTime('default-query-time', 'default_query_time', 300_000),
    maxQueryTimeMs: queryTime('max-query-time', 'max_query_time', 600_000),
    responseHeaders: strMap(httpConfig.response_headers, 'http_config.response_headers'),
    blockEndpoints: strList(httpConfig.block_endpoints, 'http_config.block_endpoints'),
    pidFile: (f['pid-file'] as string | undefined) ?? str(file.pid_file, 'pid_file'),
    encrypt: (f.encrypt as string | undefined) ?? str(file.encrypt, 'encrypt'),
    tls: resolveTlsSettings(file),
    ...uiSettings(f, file, dev),
    watches: objectList(file.watches, 'watches').map((w, i) => {
      try {
        return parseWatchDefinition(w);
      } catch (err) {
        throw new ConfigError(`Failed to parse watch (#${i + 1}): ${(err as Error).message}`);
      }
    }),
    security,
    acl: aclConfig(file),
    bounds: inputBounds(limits),
  };
}

/** Keys of Consul's `ui_config` block; only `enabled`, `dir` and the default `content_path` act here. */
const UI_CONFIG_KEYS = new Set([
  'enabled',
  'dir',
  'content_path',
  'metrics_provider',
  'metrics_provider_files',
  'metrics_provider_options_json',
  'metrics_proxy',
  'dashboard_url_templates',
]);

/** `-ui`, `-ui-dir`, `ui_config { enabled, dir }` and the legacy top-level `ui`/`ui_dir` keys. */
function uiSettings(f: Record<string, unknown>, file: Json, dev: boolean): { ui: boolean; uiDir: string | undefined } {
  const block = file.ui_config === undefined ? {} : file.ui_config;
  if (!isObject(block)) throw new ConfigError('ui_config must be an object');
  for (const key of Object.keys(block)) {
    if (!UI_CONFIG_KEYS.has(key)) throw new ConfigError(`ui_config: invalid config key ${key}`);
  }
  const contentPath = str(block.content_path, 'ui_config.content_path');
  if (contentPath !== undefined && contentPath.replace(/^\/*|\/*$/g, '') !== 'ui') {
    throw new ConfigError(`ui_config.content_path: only /ui/ is supported, got ${contentPath}`);
  }
  const uiDir = (f['ui-dir'] as string | undefined) ?? str(block.dir, 'ui_config.dir') ?? str(file.ui_dir, 'ui_dir');
  if (uiDir !== undefined && uiDir.trim() === '') throw new ConfigError('ui_config.dir cannot be empty');
  const enabled = (f.ui as boolean | undefined) ?? bool(block.enabled, 'ui_config.enabled') ?? bool(file.ui, 'ui') ?? (dev || uiDir !== undefined);
  return { ui: enabled, uiDir };
}

/** A node keeps its ID across restarts: it is kept in `<data-dir>/node-id`, as Consul does. */
function persistedNodeId(dataDir: string | undefined, checkOnly: boolean): string {
  if (!dataDir || checkOnly) return randomUUID();
  const path = join(dataDir, 'node-id');
  try {
    const id = readFileSync(path, 'utf8').trim();
    if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return id.toLowerCase();
  } catch {
    // a new node
  }
  const id = randomUUID();
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(path, id, { mode: 0o600 });
  } catch (err) {
    throw new ConfigError(`Error saving the node ID in ${path}: ${(err as Error).message}`);
  }
  return id;
}

function positiveNumber(v: unknown, key: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new ConfigError(`${key} must be a positive number`);
  return v;
}

function positiveInt(v: unknown, key: string, max: number): number | undefined {
  const n = int(v, key);
  if (n === undefined) return undefined;
  if (n < 1 || n > max) throw new ConfigError(`${key} cannot be ${n}. Must be between 1 and ${max}`);
  return n;
}

/** `gossip_lan` and `gossip_wan` keys (Consul's names) mapped to the gossip package's settings. */
const GOSSIP_KEYS: Record<string, { name: string; duration: boolean }> = {
  gossip_nodes: { name: 'gossipNodes', duration: false },
  gossip_interval: { name: 'gossipIntervalMs', duration: true },
  probe_interval: { name: 'probeIntervalMs', duration: true },
  probe_timeout: { name: 'probeTimeoutMs', duration: true },
  suspicion_mult: { name: 'suspicionMult', duration: false },
  retransmit_mult: { name: 'retransmitMult', duration: false },
};

function gossipOverrides(key: string, block: Json): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(block)) {
    const spec = GOSSIP_KEYS[k];
    if (!spec) throw new ConfigError(`${key}: invalid config key ${k}`);
    const n = spec.duration ? dur(v, `${key}.${k}`) : int(v, `${key}.${k}`);
    if (n === undefined || n <= 0) throw new ConfigError(`${key}.${k} must be positive`);
    out[spec.name] = n;
  }
  return out;
}

function normalizeDomain(d: string): string {
  const lower = d.toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}
