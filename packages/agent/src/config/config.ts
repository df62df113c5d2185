/**
 * Resolves the agent configuration: command-line flags (agent-flags.ts) over config files
 * (config-files.ts) over Consul's defaults, each block read and checked by its own module.
 */
import { hostname } from 'node:os';
import { parseGoFlags } from '@concord/goflags';
import { parseWatchDefinition } from '../watches.js';
import { expandFirstIp, expandJoinAddrs } from '../net/address-expansion.js';
import type { InterfaceTable } from '../net/interface-table.js';
import { aclConfig } from './acl-config.js';
import { addressStep, interfaceTable, resolveListenAddresses } from './agent-addresses.js';
import type { AgentConfig, LogLevel } from './agent-config.js';
import { agentFlagSpecs } from './agent-flags.js';
import { autopilotBlock } from './autopilot-config.js';
import { ConfigError } from './config-error.js';
import { loadConfigFiles } from './config-files.js';
import { gossipOverrides } from './gossip-config.js';
import { bool, dur, int, isObject, objectList, positiveInt, positiveNumber, str, strList, strMap } from './json-fields.js';
import { inputBounds } from './limits-config.js';
import { persistedNodeId } from './node-id.js';
import { securityConfig } from './security-config.js';
import { telemetryBlock } from './telemetry-config.js';
import { resolveTlsSettings } from './tls-settings.js';
import { uiSettings } from './ui-config.js';

export type { AgentConfig, LogLevel } from './agent-config.js';
export { ConfigError };

const LOG_LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error']);

export interface ResolveOptions {
  /** The network interfaces templates and address detection look at (the host's by default). */
  interfaces?: () => InterfaceTable;
  /** Only check the configuration: nothing is written (a new node ID is not saved). */
  readonly checkOnly?: boolean;
}

/** Builds the agent configuration from command-line arguments (and the files they name). */
export function resolveAgentConfig(argv: readonly string[], options: ResolveOptions = {}): AgentConfig {
  const { values: f, positionals } = parseGoFlags(argv, agentFlagSpecs);
  if (positionals.length > 0) throw new ConfigError(`Unexpected argument: ${positionals[0]}`);
  const file = loadConfigFiles((f['config-file'] as string[]) ?? [], (f['config-dir'] as string[]) ?? []);
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
  const table = interfaceTable(options.interfaces);
  const { bindAddr, advertiseAddr, clientAddrs, httpAddrs, httpsAddrs, dnsAddrs } = resolveListenAddresses(f, file, dev, table);

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
    acl: aclConfig(file, datacenter),
    bounds: inputBounds(limits),
  };
}

function normalizeDomain(d: string): string {
  const lower = d.toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}
