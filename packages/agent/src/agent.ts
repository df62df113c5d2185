import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { startWatches } from './watches.js';
import { answerClientError } from './http/client-error.js';
import { answerPlaintextOnHttps } from './http/https-plaintext.js';
import { HttpDrain } from './http/drain.js';
import { AgentCache } from './cache/agent-cache.js';
import type { AddressInfo } from 'node:net';
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { DATA_DIR_MODE, secureDataDir } from './data-dir.js';
import { join } from 'node:path';
import type { ApplyResult, Command } from '@concord/state';
import { type Logger, pino } from 'pino';
import pinoPretty from 'pino-pretty';
import type * as grpc from '@grpc/grpc-js';
import type { AgentContext, ServerContext } from './agent-context.js';
import type { CallOptions } from './rpc/query-options.js';
import type { AliasCatalog } from './checks/alias-check.js';
import { ClientCluster } from './cluster/client-cluster.js';
import type { Cluster } from './cluster/cluster.js';
import { KeyringStore } from './cluster/keyring-store.js';
import { type Keyring, Membership } from './cluster/membership.js';
import { DatacenterRouter } from './cluster/datacenter-router.js';
import { WanMembership } from './cluster/wan-membership.js';
import { RaftLog } from './cluster/raft-log.js';
import { type InternalCall, freshnessDnsCatalog, remoteDnsCatalog, remoteNodeView } from './cluster/remote-catalog.js';
import { RpcRouter } from './rpc/router.js';
import { commandMethod } from './rpc/methods/apply.js';
import type { MethodName } from './rpc/methods/index.js';
import { ownCallOptions } from './rpc/query-options.js';
import { RpcStatusError } from './rpc/transport.js';
import { typedCacheFetcher } from './cache/typed-fetch.js';
import { RemoteNodeWatch } from './cluster/remote-node-watch.js';
import { type BoundRpcServer, RpcClients, bindRpcServer, rpcMessageLimit } from './cluster/rpc.js';
import { ConnectionGuard } from './http/connection-guard.js';
import { type AgentTls, openAgentTls } from './tls/agent-tls.js';
import { ServerCluster } from './cluster/server-cluster.js';
import { noLeader } from './errors/agent-error.js';
import type { DnsCatalog } from './dns/catalog.js';
import { clusterOpsRoutes, keyringRoutes } from './http/endpoints/cluster-ops.js';
import { agentInfoRoutes } from './http/endpoints/agent-info.js';
import { agentMonitorRoutes } from './http/endpoints/agent-monitor.js';
import { eventFireRoutes } from './http/endpoints/event-fire.js';
import { operatorRoutes } from './http/endpoints/operator.js';
import { internalRoutes } from './http/endpoints/internal.js';
import { snapshotRoutes } from './http/endpoints/snapshot.js';
import type { Route } from './http/router.js';
import type { NodeCatalogView } from './local/anti-entropy.js';
import { type AgentConfig, ConfigError, resolveAgentConfig } from './config/config.js';
import { type DnsConfig, type DnsServer, type RemoteDnsCatalogs, parseDnsConfig, startDnsServer, stateCatalog } from './dns/index.js';
import { EventBuffer } from './events/event-buffer.js';
import { UserEvents } from './events/user-events.js';
import { agentRoutes } from './http/endpoints/agent.js';
import { catalogRoutes } from './http/endpoints/catalog.js';
import { coordinateRoutes } from './http/endpoints/coordinate.js';
import { eventRoutes } from './http/endpoints/event-list.js';
import { healthRoutes } from './http/endpoints/health.js';
import { kvRoutes } from './http/endpoints/kv.js';
import { metricsRoutes } from './http/endpoints/metrics.js';
import { sessionRoutes } from './http/endpoints/session.js';
import { preparedQueryRoutes } from './http/endpoints/prepared-query.js';
import { txnRoutes } from './http/endpoints/txn.js';
import { sendText } from './http/respond.js';
import { toHttpError } from './http/http-error.js';
import { serveKvGetFast } from './http/kv-fast-path.js';
import { translateWanAddresses } from './http/wan-address-translation.js';
import { serverRemoteQueries } from './rpc/remote-queries.js';
import { CompressingResponse } from './http/gzip-response.js';
import { enforcedAclDefaultPolicy } from './acl/enforced-policy.js';
import { AclResolver, StateIdentitySource } from './acl/resolver.js';
import { ServerIdentitySource } from './acl/client-identity.js';
import { agentTokenRoutes, loadPersistedTokens } from './http/endpoints/agent-tokens.js';
import { startAclBuiltins } from './acl/builtins.js';
import { gateRequest } from './acl/http-gate.js';
import { aclDnsCatalog } from './acl/dns-catalog.js';
import { redactTokenInUrl } from './acl/request-token.js';
import { aclRoutes } from './http/endpoints/acl.js';
import { Router } from './http/router.js';
import { UiFiles } from './http/ui-files.js';
import { uiAssetsDir, uiBuilt } from '@concord/ui';
import { ConfigDefinitions } from './local/config-definitions.js';
import { LocalState } from './local/local-state.js';
import { startCheckRunner } from './checks/index.js';
import { AntiEntropy } from './local/anti-entropy.js';
import { CoordinateSync } from './local/coordinate-sync.js';
import { startCriticalReaper } from './local/critical-reaper.js';
import { LocalPersistence } from './local/persistence.js';
import { LogHub } from './log/log-hub.js';
import { emitRuntimeMetrics } from './telemetry/runtime.js';
import { Telemetry } from './telemetry/telemetry.js';
import { httpMetricKey } from './telemetry/http-metrics.js';
import { membershipMetrics } from './telemetry/membership-metrics.js';
import { StateServer, type WriteResult } from './server/state-server.js';

export const VERSION = '0.1.0';

export interface RunningAgent {
  readonly config: AgentConfig;
  /** The bound HTTP port, or -1 when plain HTTP is off (`ports.http = -1`). */
  readonly httpPort: number;
  /** The bound HTTPS port, or -1 when HTTPS is off. */
  readonly httpsPort: number;
  readonly dnsPort: number;
  /** The bound LAN gossip port. */
  readonly serfPort: number;
  /** The bound WAN gossip port (-1 on a client agent or with `ports.serf_wan = -1`). */
  readonly serfWanPort: number;
  /** The bound server RPC port (0 on a client agent). */
  readonly serverPort: number;
  readonly context: AgentContext;
  /** Resolves when the agent has stopped (after `close()` or a `leave`). */
  readonly stopped: Promise<void>;
  close(): Promise<void>;
  /** Leaves the cluster gracefully (a server leaves raft first), then closes. */
  leave(): Promise<void>;
}

export interface StartOptions {
  /** The arguments the config came from, re-read on reload. */
  argv?: readonly string[];
  logger?: Logger;
  /** Local-state timings (tests shorten them; the defaults are Consul's). */
  localTimings?: LocalTimings;
}

export interface LocalTimings {
  /** Base period of anti-entropy full syncs (default 1 minute, scaled by cluster size). */
  antiEntropyIntervalMs?: number;
  /** How often services with long-critical checks are reaped (default 30 s). */
  checkReapIntervalMs?: number;
  /** Smallest honoured DeregisterCriticalServiceAfter (default 1 minute). */
  deregisterCriticalMinMs?: number;
}

/** The agent's logger: every line passes the hub, which prints it and feeds monitors. */
function makeLogger(config: AgentConfig, hub: LogHub): Logger {
  const out = config.logJson
    ? pino.destination({ fd: 1, sync: false })
    : pinoPretty({ colorize: false, translateTime: 'SYS:standard', ignore: 'pid,hostname', destination: 1, sync: true });
  const logger = pino({ level: config.logLevel }, hub.stream);
  hub.attach(logger, out);
  return logger;
}

/** A custom UI directory must hold a build (an index.html) when the UI is on. */
function assertUiDir(config: AgentConfig): void {
  if (config.ui && config.uiDir !== undefined && !uiBuilt(config.uiDir)) {
    throw new ConfigError(`ui_config.dir: no index.html in ${config.uiDir}`);
  }
}

const HTTP_KEEP_ALIVE_MS = 30_000;
/** Timeouts are checked every second, so a short `limits.http_headers_timeout` is kept closely. */
const CONNECTIONS_CHECKING_INTERVAL_MS = 1000;

/** Starts an HTTP or HTTPS listener with the agent's timeouts (blocking queries are never cut). */
async function listenHttp<S extends Server | HttpsServer>(server: S, port: number, host: string, headersTimeoutMs: number, guard: ConnectionGuard): Promise<S> {
  server.keepAliveTimeout = HTTP_KEEP_ALIVE_MS;
  server.headersTimeout = headersTimeoutMs;
  // Request bodies are timed by the guard, never responses (blocking queries).
  server.requestTimeout = 0;
  server.on('clientError', answerClientError);
  guard.attach(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

/** Logs refused plaintext RPC connections, at most once a minute. */
/** The query of a request without one (read only: the ACL gate reads `?token`). */
const NO_QUERY: Readonly<URLSearchParams> = new URLSearchParams();

/** Logs refused RPC connections at most once a minute, with how many were refused since. */
function refusalLogger(logger: Logger, message: string): (remote: string) => void {
  let last = 0;
  let refused = 0;
  return (remote) => {
    refused++;
    const now = Date.now();
    if (now - last < 60_000) return;
    last = now;
    logger.warn({ remote, refused }, message);
    refused = 0;
  };
}

/**
 * A server's raft log: over `level` in the data dir, or in memory for -dev (a single voter that
 * bootstraps itself). Either way on the agent's RPC server, behind the same ServerCluster.
 */
function openRaftLog(config: AgentConfig, rpcServer: grpc.Server, logger: Logger, tls: AgentTls): RaftLog<ApplyResult> {
  let dir: string | undefined;
  if (!config.dev) {
    dir = join(config.dataDir as string, 'raft');
    mkdirSync(dir, { recursive: true, mode: DATA_DIR_MODE });
  }
  return new RaftLog<ApplyResult>({
    id: config.nodeId,
    dir,
    rpcServer,
    maxMessageBytes: rpcMessageLimit(config.bounds.snapshotRestoreMaxBytes),
    logger,
    tickMs: 100 * config.raftMultiplier,
    snapshotThreshold: config.raftSnapshotThreshold,
    snapshotIntervalMs: config.raftSnapshotIntervalMs,
    trailingLogs: config.raftTrailingLogs,
    dial: tls.dialRpc,
    ...(tls.raftAuthorize ? { authorize: tls.raftAuthorize } : {}),
  });
}

/** The WAN pool; a -dev agent on a busy machine takes any free port rather than failing on 8302. */
async function startWan(config: AgentConfig, rpcPort: number, logger: Logger, keyring: Keyring | undefined): Promise<WanMembership> {
  const start = (c: AgentConfig) => WanMembership.start({ config: c, version: VERSION, rpcPort, logger, ...(keyring ? { keyring } : {}), gossip: c.gossipWan });
  try {
    return await start(config);
  } catch (err) {
    const inUse = /EADDRINUSE|address already in use|could not bind/i.test(`${String(err)} ${String((err as Error).cause ?? '')}`);
    if (!(config.dev && config.ports.serfWan === 8302 && inUse)) throw err;
    logger.warn('agent: port 8302 is in use; the dev agent gossips over the WAN on a free port');
    return start({ ...config, ports: { ...config.ports, serfWan: 0 } });
  }
}

/** Whether a background `-retry-join` is still trying. */
interface RetryJoinState {
  pending: boolean;
}

/** One gossip pool's joins at start: `-join` (LAN) or `-join-wan` (WAN) and their retrying forms. */
interface PoolJoin {
  /** `LAN` or `WAN`, for messages. */
  pool: string;
  start: readonly string[];
  retry: readonly string[];
  join: (addrs: readonly string[]) => Promise<number>;
}

/** Joins the `start` addresses now (failing the start) and the `retry` ones in the background. */
async function joinAtStart(config: AgentConfig, pj: PoolJoin, logger: Logger, signal: AbortSignal, state: RetryJoinState): Promise<void> {
  const suffix = pj.pool === 'WAN' ? ' (WAN)' : '';
  if (pj.start.length > 0) {
    try {
      const n = await pj.join(pj.start);
      logger.info({ joined: n }, `agent: joined the cluster${suffix}`);
    } catch (err) {
      throw new ConfigError(`Error joining ${pj.pool === 'WAN' ? 'WAN pool' : 'cluster'}: ${(err as Error).message}`);
    }
  }
  if (pj.retry.length > 0) {
    const addrs = pj.retry;
    state.pending = true;
    void (async () => {
      for (let round = 1; !signal.aborted; round++) {
        try {
          const n = await pj.join(addrs);
          logger.info({ joined: n }, `agent: retry join${suffix} completed`);
          return;
        } catch (err) {
          logger.warn({ err: String(err) }, `agent: join${suffix} attempt ${round} failed`);
          if (config.retryMax > 0 && round >= config.retryMax) {
            logger.error(`agent: max join${suffix} retry exhausted, exiting`);
            return;
          }
        }
        await new Promise((r) => setTimeout(r, config.retryIntervalMs).unref());
      }
    })().finally(() => {
      state.pending = false;
    });
  }
}

export async function startAgent(config: AgentConfig, options: StartOptions = {}): Promise<RunningAgent> {
  assertUiDir(config);
  if (!config.dev && config.dataDir) secureDataDir(config.dataDir);
  const logs = options.logger ? undefined : new LogHub(config.logLevel);
  const logger = options.logger ?? makeLogger(config, logs as LogHub);
  const cleanups: (() => Promise<void> | void)[] = [];
  const undo = async () => {
    for (const c of cleanups.reverse()) await c();
  };
  try {
    return await startAgentParts(config, options, logger, logs, cleanups);
  } catch (err) {
    await undo();
    throw err;
  }
}

async function startAgentParts(
  config: AgentConfig,
  options: StartOptions,
  logger: Logger,
  logs: LogHub | undefined,
  cleanups: (() => Promise<void> | void)[],
): Promise<RunningAgent> {
  const tls = openAgentTls(config);
  const telemetry = new Telemetry(config.telemetry);
  cleanups.push(emitRuntimeMetrics(telemetry));

  const rpc = config.server ? await bindServerRpc(config, logger, tls, cleanups) : undefined;
  const rpcPort = rpc?.port ?? 0;
  const serverAddress = `${config.advertiseAddr}:${rpcPort || config.ports.server}`;

  const { server, raft } = rpc ? await openServerState(config, rpc, logger, tls, telemetry, cleanups) : { server: undefined, raft: undefined };
  if (config.pidFile) writeFileSync(config.pidFile, `${process.pid}\n`);

  const keyringStore = new KeyringStore(config.encrypt, config.dev ? undefined : config.dataDir);
  const keyring = keyringStore.keyring;
  const membership = await Membership.start({
    config,
    version: VERSION,
    rpcPort,
    logger,
    ...(keyring ? { keyring } : {}),
    gossip: config.gossipLan,
  });
  cleanups.push(() => membership.shutdown());
  cleanups.push(membershipMetrics(telemetry, membership));
  // The WAN pool: servers only, on the LAN pool's keyring.
  let wan: WanMembership | undefined;
  if (server && config.ports.serfWan >= 0) {
    wan = await startWan(config, rpcPort, logger, keyring);
    const w = wan;
    cleanups.push(() => w.shutdown());
  }
  const datacenters = new DatacenterRouter({ datacenter: config.datacenter, wan });
  // Typed calls to other servers (the leader, another datacenter) or, from a client, to a server.
  const callClients = new RpcClients(tls.dialRpc, rpcMessageLimit(config.bounds.snapshotRestoreMaxBytes));
  cleanups.push(() => callClients.close());
  let rpcRouter: RpcRouter | undefined;

  const retryJoin: RetryJoinState = { pending: config.retryJoin.length > 0 };
  let cluster: Cluster;
  let serverCluster: ServerCluster | undefined;
  let clientCluster: ClientCluster | undefined;
  if (server && raft && rpc) {
    serverCluster = new ServerCluster({
      config,
      server,
      raft,
      membership,
      rpcServer: rpc.server,
      rpcAddress: serverAddress,
      keyring: keyringStore,
      version: VERSION,
      logger,
      deadServerCleanupMs: 30_000,
      dial: tls.dialRpc,
      telemetry,
      calls: (name, request, signal) => (rpcRouter ? rpcRouter.serve(name, request, signal) : Promise.reject(new RpcStatusError('HTTP API not ready', 14 /* UNAVAILABLE */))),
    });
    cluster = serverCluster;
  } else {
    clientCluster = new ClientCluster({ config, membership, keyring: keyringStore, logger, dial: tls.dialRpc, joining: () => retryJoin.pending, telemetry });
    cluster = clientCluster;
  }
  const c = cluster;
  cleanups.push(() => c.close());
  const sc = serverCluster;
  const cc = clientCluster;
  const calls = new RpcRouter({
    datacenter: config.datacenter,
    nodeName: config.nodeName,
    maxQueryTimeMs: config.maxQueryTimeMs,
    ...(cc ? { toServer: (send, idempotent) => cc.callServer(send, idempotent) } : {}),
    ...(sc ? { isLeader: () => sc.isLeader(), toLeader: (send, idempotent) => sc.callLeader(send, idempotent) } : {}),
    ...(wan ? { toDatacenter: (dc, send, idempotent) => datacenters.call(dc, send, idempotent) } : {}),
    call: (address, name, request, timeoutMs, signal) => callClients.call(address, name, request, timeoutMs, signal),
  });
  rpcRouter = calls;
  // The agent's own calls carry its tokens: DNS views the dns (or default) token, the rest the agent (or default) token.
  const ownToken = (name: string): string =>
    !acl.enabled ? '' : (name.startsWith('Internal.DNS') ? acl.tokens.dns || acl.tokens.default : acl.tokens.agent || acl.tokens.default) || '';
  const internalCall: InternalCall = (name, args, over) => calls.call(name, args, ownCallOptions(config.nodeName, { token: ownToken(name), ...over }));

  let resolveStopped: () => void = () => {};
  const stopped = new Promise<void>((r) => {
    resolveStopped = r;
  });

  const write = async (command: Command, over?: Partial<CallOptions>): Promise<WriteResult> => {
    const method = commandMethod(command.type) as MethodName | undefined;
    if (!method) throw new Error(`command ${command.type} is applied by the leader only`);
    const answer = await calls.call(method, { command } as never, ownCallOptions(config.nodeName, { token: ownToken(method), ...over, consistency: 'leader', minQueryIndex: 0 }));
    return { index: answer.meta.index, result: { value: answer.value } };
  };
  const remoteWatch = clientCluster ? new RemoteNodeWatch(internalCall) : undefined;
  if (remoteWatch) cleanups.push(() => remoteWatch.close());
  const aliasCatalog: AliasCatalog = server
    ? {
        checksOnNode: (node) => (server as StateServer).state.checksOnNode(node),
        serviceExists: (node, id) => (server as StateServer).state.servicesOnNode(node).some((x) => x.ID === id),
        watchNode: (node, cb) => (server as StateServer).state.watch([`node:${node}`], cb),
      }
    : (remoteWatch as RemoteNodeWatch);
  const local = new LocalState({
    nodeName: config.nodeName,
    write: (command, token) => write(command, token ? { token } : undefined),
    checkUpdateIntervalMs: config.checkUpdateIntervalMs,
    onError: (err) => logger.warn({ err: String(err) }, 'agent: catalog sync failed'),
    ...(config.dev ? {} : { persistence: new LocalPersistence(join(config.dataDir as string, 'local')) }),
    startRunner: (def, source, report) =>
      startCheckRunner(
        def,
        {
          nodeName: config.nodeName,
          scriptsAllowed: config.enableScriptChecks || (source === 'config' && config.enableLocalScriptChecks),
          catalog: aliasCatalog,
        },
        report,
      ),
  });
  cleanups.push(() => local.close());
  const configDefinitions = new ConfigDefinitions(local);
  const events = new EventBuffer();
  const userEvents = new UserEvents({
    gossip: membership.gossip,
    nodeName: config.nodeName,
    services: () => local.services.values(),
    buffer: events,
    logger,
  });
  cleanups.push(() => userEvents.close());

  const acl = new AclResolver({
    config: config.acl,
    nodeName: config.nodeName,
    source: server
      ? new StateIdentitySource(() => (server as StateServer).state, config.datacenter)
      : new ServerIdentitySource(async (secret) => (await calls.call('ACL.ResolveToken', { secret, datacenter: config.datacenter }, ownCallOptions(config.nodeName))).value),
    cache: !server,
  });
  if (config.acl.enableTokenPersistence && !config.dev) loadPersistedTokens(acl, config.dataDir);
  if (server && config.acl.enabled) {
    const s = server;
    cleanups.push(
      startAclBuiltins({
        state: () => s.state,
        isLeader: () => s.isLeader(),
        initialManagement: config.acl.tokens.initialManagement,
        write: (c) => s.write(c),
        onError: (err) => logger.debug({ err: String(err) }, 'acl: storing the built-in policy and tokens failed'),
      }),
    );
  }

  let closing: Promise<void> | undefined;
  const context: AgentContext = {
    config,
    acl,
    server,
    cluster,
    local,
    events,
    userEvents,
    logger,
    logs,
    telemetry,
    startedAt: Date.now(),
    version: VERSION,
    serverAddress,
    members: () => cluster.members(),
    wan,
    rpc: calls,
    coordinate: () => {
      const c = membership.gossip.coordinate();
      return { Vec: [...c.Vec], Error: c.Error, Adjustment: c.Adjustment, Height: c.Height };
    },
    write,
    reload: async () => {
      if (!options.argv) return;
      const next = resolveAgentConfig(options.argv);
      tls.reload(next.tls);
      configDefinitions.apply(next.services, next.checks);
      if (logs) logs.setLevel(next.logLevel);
      else logger.level = next.logLevel;
      logger.info('agent: reloaded configuration');
    },
    leave: () => leaveAndClose(),
  };
  const serverContext: ServerContext | undefined =
    server && serverCluster
      ? {
          ...context,
          server,
          apply: (command) => (serverCluster as ServerCluster).write(command),
          sessionTimers: serverCluster.sessionTimers,
          query: {
            watch: (topics, cb) => (server as StateServer).state.watch(topics, cb),
            defaultQueryTimeMs: config.defaultQueryTimeMs,
            maxQueryTimeMs: config.maxQueryTimeMs,
            random: Math.random,
          },
          datacenters,
        }
      : undefined;
  if (serverContext) calls.attachLocal(serverContext);

  configDefinitions.apply(config.services, config.checks);
  local.restorePersisted((path, err) => logger.warn({ path, err: String(err) }, 'agent: skipped unreadable local state file'));
  const timings = options.localTimings ?? {};
  const nodeView = server
    ? (node: string): NodeCatalogView => {
        const state = (server as StateServer).state;
        return { node: state.node(node), services: state.servicesOnNode(node), checks: state.checksOnNode(node), nodeCount: state.nodes().value.length };
      }
    : async (node: string): Promise<NodeCatalogView> => (await remoteNodeView(internalCall, node)).value;
  const antiEntropy = new AntiEntropy({
    local,
    catalog: { nodeView },
    node: {
      ID: config.nodeId,
      Node: config.nodeName,
      Address: config.advertiseAddr,
      TaggedAddresses: {
        lan: config.advertiseAddr,
        lan_ipv4: config.advertiseAddr,
        // `-advertise-wan` (default the LAN advertise address): what translate_wan_addrs answers.
        wan: config.advertiseAddrWan,
        wan_ipv4: config.advertiseAddrWan,
      },
      NodeMeta: { 'consul-network-segment': '', ...config.nodeMeta },
    },
    writeNode: (reg) => write({ type: 'register', reg }),
    ...(timings.antiEntropyIntervalMs ? { intervalMs: timings.antiEntropyIntervalMs } : {}),
    onError: warnOnceThenDebug(logger, 'agent: anti-entropy sync failed'),
  });
  const stopCriticalReaper = startCriticalReaper(local, {
    ...(timings.checkReapIntervalMs ? { intervalMs: timings.checkReapIntervalMs } : {}),
    ...(timings.deregisterCriticalMinMs !== undefined ? { minimumMs: timings.deregisterCriticalMinMs } : {}),
    onReap: (serviceId, checkId) => logger.info({ serviceId, checkId }, 'agent: check critical for too long, deregistered service'),
  });
  const coordinateSync = new CoordinateSync({
    node: config.nodeName,
    intervalMinMs: config.syncCoordinateIntervalMinMs,
    rateTarget: config.syncCoordinateRateTarget,
    coordinate: () => context.coordinate(),
    memberCount: () => membership.gossip.members().length,
    isRegistered: async () => (await nodeView(config.nodeName)).node !== undefined,
    write,
    onError: (err) => logger.debug({ err: String(err) }, 'agent: coordinate update failed'),
  });
  cleanups.push(() => {
    antiEntropy.stop();
    coordinateSync.stop();
    stopCriticalReaper();
  });

  const dnsConfig = resolveDnsConfig(config);
  // A prepared query with no local instance fails over to other datacenters through the WAN pool.
  const localDns = server
    ? stateCatalog(server.state, { agentNode: config.nodeName, remote: serverContext ? serverRemoteQueries(serverContext, { consistency: 'stale', token: '' }) : undefined })
    : undefined;
  let dnsCatalog: DnsCatalog;
  if (localDns && sc) {
    // DNS clients give up within seconds: without a known leader, fail at once (SERVFAIL).
    const leaderCall: InternalCall = (name, args, over) => (sc.knownLeader() ? internalCall(name, args, over) : Promise.reject(noLeader()));
    dnsCatalog = freshnessDnsCatalog(
      localDns,
      remoteDnsCatalog(leaderCall, config.datacenter, { stale: false }),
      () => sc.isLeader() || (dnsConfig.allowStale && sc.freshWithin(dnsConfig.maxStale)),
    );
  } else if (localDns) dnsCatalog = localDns;
  else dnsCatalog = remoteDnsCatalog(internalCall, config.datacenter, { stale: dnsConfig.allowStale });
  if (acl.enabled) dnsCatalog = aclDnsCatalog(dnsCatalog, () => acl.resolveToken(acl.tokens.dns || undefined));
  // Other datacenters' names: a server asks one of their servers over the WAN, a client its own servers.
  let remoteDns: RemoteDnsCatalogs | undefined;
  if (wan || clientCluster) remoteDns = (dc) => remoteDnsCatalog(internalCall, dc, { stale: dnsConfig.allowStale, remote: true });
  const router = httpRouter(context, logger);
  const extraHeaders = Object.entries(config.responseHeaders);
  const blocked = config.blockEndpoints;
  const prettyAll = false;
  const fastPath = server !== undefined && extraHeaders.length === 0 && blocked.length === 0 && !config.translateWanAddrs;
  const ui = config.ui ? new UiFiles(config.uiDir ?? uiAssetsDir()) : undefined;
  if (ui && !uiBuilt(ui.root)) logger.warn({ dir: ui.root }, 'ui: the web UI is not built (npm run build); /ui/ answers 404');
  const aclPolicy = enforcedAclDefaultPolicy(config);
  const guard = new ConnectionGuard({ maxPerClient: config.bounds.httpMaxConnsPerClient, bodyTimeoutMs: config.bounds.httpBodyTimeoutMs });
  const cache = new AgentCache({
    fetch: typedCacheFetcher(calls, config),
    defaultQueryTimeMs: config.defaultQueryTimeMs,
    maxQueryTimeMs: config.maxQueryTimeMs,
  });
  cleanups.push(() => cache.close());
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    if (!guard.admit(req, res)) return;
    res.setHeader('X-Consul-Default-ACL-Policy', aclPolicy);
    res.setHeader('Vary', 'Accept-Encoding');
    for (const [k, v] of extraHeaders) res.setHeader(k, v);
    observeHttp(telemetry, router, req, res);
    if (logger.isLevelEnabled('debug')) logRequest(logger, req, res);
    if (blocked.length > 0 && blocked.some((b) => (req.url ?? '').startsWith(b))) {
      sendText(res, 403, 'Endpoint is blocked by agent configuration');
      return;
    }
    // The UI's files are this agent's own: never forwarded to a server.
    if (ui?.owns(req.url)) {
      ui.handle(req, res);
      return;
    }
    if (config.translateWanAddrs) translateWanAddresses(req, res, config.datacenter);
    if (acl.enabled) {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const refuse = (err: unknown): void => {
        const e = toHttpError(err);
        sendText(res, e.status, e.message);
      };
      let pending: Promise<void> | undefined;
      try {
        pending = gateRequest(gate, req, q === -1 ? url : url.slice(0, q), q === -1 ? NO_QUERY : new URLSearchParams(url.slice(q + 1)));
      } catch (err) {
        refuse(err);
        return;
      }
      if (pending) {
        pending.then(() => dispatch(req, res), refuse);
        return;
      }
    }
    dispatch(req, res);
  };
  const gate = { resolver: acl, nodeName: config.nodeName, keyListPolicy: config.acl.enableKeyListPolicy };
  const dispatch = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.url?.includes('cached') && serveCached(cache, req, res)) return;
    // Only the leader answers a default-consistency read from its own state.
    if (fastPath && sc?.isLeader() && serveKvGetFast(req, res, (server as StateServer).state)) return;
    router.handle(req, res, (q) => prettyAll || q.has('pretty'));
  };
  const { httpPort, httpsPort } = await listenHttpAll(config, tls, handle, guard, cleanups);
  if (config.watches.length > 0) {
    if (httpPort < 0) {
      logger.warn('agent: watches need the HTTP listener (ports.http); they are not run');
    } else {
      const host = config.httpAddr === '0.0.0.0' || config.httpAddr === '::' ? '127.0.0.1' : config.httpAddr;
      cleanups.push(startWatches(config.watches, `${host.includes(':') ? `[${host}]` : host}:${httpPort}`, logger));
    }
  }
  // Runs before the drains: monitors end at once rather than holding a listener open.
  if (logs) cleanups.push(() => logs.close());

  const dns = await startDnsAll(config, dnsConfig, context, { local: dnsCatalog, remote: remoteDns }, cleanups);

  await serverCluster?.start();
  const joinAbort = new AbortController();
  cleanups.push(() => joinAbort.abort());
  await joinAtStart(config, { pool: 'LAN', start: config.startJoin, retry: config.retryJoin, join: (a) => membership.join(a) }, logger, joinAbort.signal, retryJoin);
  if (wan) {
    const w = wan;
    const pool = { pool: 'WAN', start: config.startJoinWan, retry: config.retryJoinWan, join: (a: readonly string[]) => w.join(a) };
    await joinAtStart(config, pool, logger, joinAbort.signal, { pending: false });
  }
  antiEntropy.start();
  coordinateSync.start();

  const close = (): Promise<void> => {
    if (closing) return closing;
    closing = (async () => {
      logger.info('agent: shutting down');
      try {
        await serverCluster?.drain();
      } catch (err) {
        logger.warn({ err: String(err) }, 'agent: error while handing over before shutting down');
      }
      for (const c of cleanups.reverse()) {
        try {
          await c();
        } catch (err) {
          logger.warn({ err: String(err) }, 'agent: error while shutting down');
        }
      }
      if (config.pidFile) rmSync(config.pidFile, { force: true });
      resolveStopped();
    })();
    return closing;
  };
  let leaving: Promise<void> | undefined;
  const leaveAndClose = (): Promise<void> => {
    leaving ??= (async () => {
      try {
        await cluster.leave();
        await wan?.leave();
      } catch (err) {
        logger.warn({ err: String(err) }, 'agent: graceful leave failed');
      }
      await close();
    })();
    return leaving;
  };

  return {
    config,
    httpPort,
    httpsPort,
    dnsPort: dns?.udpPort ?? -1,
    serfPort: membership.port,
    serfWanPort: wan?.port ?? -1,
    serverPort: rpcPort,
    context,
    stopped,
    close,
    leave: leaveAndClose,
  };
}

/** Every HTTP route of the agent; every agent registers them all (the state ones call typed methods). */
function httpRouter(context: AgentContext, logger: Logger): Router {
  const router = new Router();
  const routeSets: Route[][] = [
    agentTokenRoutes(context),
    agentRoutes(context),
    agentInfoRoutes(context),
    agentMonitorRoutes(context),
    clusterOpsRoutes(context),
    operatorRoutes(context),
    keyringRoutes(context),
    eventFireRoutes(context),
    eventRoutes(context),
    metricsRoutes(context),
  ];
  routeSets.push(
    kvRoutes(context),
    txnRoutes(context),
    sessionRoutes(context),
    preparedQueryRoutes(context),
    catalogRoutes(context),
    coordinateRoutes(context),
    healthRoutes(context),
    snapshotRoutes(context),
    internalRoutes(context),
  );
  routeSets.push(aclRoutes(context));
  for (const routes of routeSets) for (const r of routes) router.add(r);
  router.onError((err, ctx) => {
    const status = toHttpError(err).status;
    if (status === undefined || status >= 500) logger.debug({ err: String(err), path: ctx.path }, 'http: request failed');
  });
  return router;
}

type Cleanups = (() => Promise<void> | void)[];

/** The RPC listener (servers only): raft, forwarding, status. */
async function bindServerRpc(config: AgentConfig, logger: Logger, tls: AgentTls, cleanups: Cleanups): Promise<BoundRpcServer> {
  let rpc: BoundRpcServer;
  const events = {
    onPlaintextRefused: refusalLogger(logger, 'rpc: refused a plaintext connection (tls.internal_rpc.verify_incoming is set)'),
    onTooManyConnections: refusalLogger(logger, 'rpc: refused a connection beyond limits.rpc_max_conns_per_client'),
  };
  try {
    rpc = await bindRpcServer(
      config.bindAddr,
      config.ports.server,
      tls.rpcListener,
      events,
      rpcMessageLimit(config.bounds.snapshotRestoreMaxBytes),
      config.bounds.rpcMaxConnsPerClient,
    );
  } catch (err) {
    // A -dev agent on a busy machine takes any free port rather than failing on 8300.
    if (!(config.dev && config.ports.server === 8300 && /EADDRINUSE|address already in use/i.test(String(err)))) throw err;
    logger.warn('agent: port 8300 is in use; the dev agent serves RPC on a free port');
    rpc = await bindRpcServer(config.bindAddr, 0, tls.rpcListener, events, rpcMessageLimit(config.bounds.snapshotRestoreMaxBytes), config.bounds.rpcMaxConnsPerClient);
  }
  const bound = rpc;
  cleanups.push(() => bound.close());
  return rpc;
}

/** A server's replicated state over its raft log, with Consul's catalog usage gauges. */
async function openServerState(
  config: AgentConfig,
  rpc: BoundRpcServer,
  logger: Logger,
  tls: AgentTls,
  telemetry: Telemetry,
  cleanups: Cleanups,
): Promise<{ server: StateServer; raft: RaftLog<ApplyResult> }> {
  const raft = openRaftLog(config, rpc.server, logger, tls);
  const server = new StateServer(raft, config.datacenter);
  await server.open();
  cleanups.push(() => server.close());
  // Consul's usage gauges of the catalog, read from this server's state when metrics are shown.
  telemetry.gaugeFrom(['state', 'nodes'], () => server.state.nodes().value.length);
  telemetry.gaugeFrom(['state', 'services'], () => Object.keys(server.state.services().value).length);
  return { server, raft };
}

/** One HTTP listener per HTTP address (`-client` may name several), all on the first one's port; HTTPS likewise. */
async function listenHttpAll(
  config: AgentConfig,
  tls: AgentTls,
  handle: (req: IncomingMessage, res: ServerResponse) => void,
  guard: ConnectionGuard,
  cleanups: Cleanups,
): Promise<{ httpPort: number; httpsPort: number }> {
  let httpPort = -1;
  if (config.ports.http >= 0) {
    let port = config.ports.http;
    for (const addr of config.httpAddrs) {
      const http = await listenHttp(
        createServer({ ServerResponse: CompressingResponse, connectionsCheckingInterval: CONNECTIONS_CHECKING_INTERVAL_MS }, handle),
        port,
        addr,
        config.bounds.httpHeadersTimeoutMs,
        guard,
      );
      const drain = new HttpDrain(http);
      cleanups.push(() => drain.close(HTTP_DRAIN_MS));
      port = (http.address() as AddressInfo).port;
      httpPort = port;
    }
  }
  let httpsPort = -1;
  if (tls.httpsOptions) {
    // HTTPS likewise on every HTTPS address.
    let port = config.ports.https;
    for (const addr of config.httpsAddrs) {
      const httpsServer = createHttpsServer({ ...tls.httpsOptions, ServerResponse: CompressingResponse, connectionsCheckingInterval: CONNECTIONS_CHECKING_INTERVAL_MS }, handle);
      answerPlaintextOnHttps(httpsServer);
      const https = await listenHttp(httpsServer, port, addr, config.bounds.httpHeadersTimeoutMs, guard);
      tls.onHttpsChange((ctx) => https.setSecureContext({ ...tls.httpsOptions, ...ctx }));
      const drain = new HttpDrain(https);
      cleanups.push(() => drain.close(HTTP_DRAIN_MS));
      port = (https.address() as AddressInfo).port;
      httpsPort = port;
    }
  }
  return { httpPort, httpsPort };
}

/** DNS on every DNS address, on the first one's port; the first server is the one reported. */
async function startDnsAll(
  config: AgentConfig,
  dnsConfig: DnsConfig,
  context: AgentContext,
  catalogs: { local: DnsCatalog; remote: RemoteDnsCatalogs | undefined },
  cleanups: Cleanups,
): Promise<DnsServer | undefined> {
  let dns: DnsServer | undefined;
  if (config.ports.dns >= 0) {
    let dnsPort = config.ports.dns;
    for (const addr of config.dnsAddrs) {
      const d = await startDns(config, dnsConfig, context, catalogs, addr, dnsPort);
      cleanups.push(() => d.close());
      dns ??= d;
      dnsPort = d.udpPort;
    }
  }
  return dns;
}

/**
 * A logger for a failure retried every few seconds (a client alone, not joined yet, finds no
 * server): an error is a warning, the same error again within 5 minutes only debug.
 */
function warnOnceThenDebug(logger: Logger, msg: string): (err: unknown) => void {
  let last: string | undefined;
  let warnedAt = 0;
  return (err) => {
    const text = String(err);
    if (text === last && Date.now() - warnedAt < 300_000) {
      logger.debug({ err: text }, msg);
      return;
    }
    logger.warn({ err: text }, msg);
    last = text;
    warnedAt = Date.now();
  };
}

/** `?cached` reads of the endpoints Consul caches are answered by the agent's cache. */
function serveCached(cache: AgentCache, req: IncomingMessage, res: ServerResponse): boolean {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const query = new URLSearchParams(q === -1 ? '' : url.slice(q + 1));
  if (!AgentCache.wants(req.method, path, query)) return false;
  void cache.serve(req, res, path, query);
  return true;
}

const HTTP_METHODS = new Set(['GET', 'PUT', 'POST', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH']);
const MAX_HTTP_KEYS = 512;
const seenHttpKeys = new Set<string>();

/** Consul's HTTP timers: `api.http` (method and path labels) and the older `http.<METHOD>.<path>`. */
function observeHttp(telemetry: Telemetry, router: Router, req: IncomingMessage, res: ServerResponse): void {
  const started = performance.now();
  res.once('finish', () => {
    const method = (req.method ?? 'GET').toUpperCase();
    if (!HTTP_METHODS.has(method)) return;
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    let { key, label } = httpMetricKey(router.patternOf(method, path), path);
    // Paths this agent has no route for could name unboundedly many metrics: past a cap they share one.
    const joined = `${method} ${label}`;
    if (!seenHttpKeys.has(joined)) {
      if (seenHttpKeys.size >= MAX_HTTP_KEYS) ({ key, label } = { key: ['other'], label: 'other' });
      else seenHttpKeys.add(joined);
    }
    telemetry.measureSince(['api', 'http'], started, { method, path: label });
    telemetry.measureSince(['http', method, ...key], started);
  });
}

/** Consul's `agent.http: Request finished` debug line, once the answer is sent. */
function logRequest(logger: Logger, req: IncomingMessage, res: ServerResponse): void {
  const started = performance.now();
  res.once('finish', () => {
    const latency = `${Math.round((performance.now() - started) * 1000)}µs`;
    logger.debug(
      { method: req.method, url: redactTokenInUrl(req.url ?? ''), from: `${req.socket.remoteAddress}:${req.socket.remotePort}`, latency },
      'agent.http: Request finished',
    );
  });
}

/** How long requests in progress (forwarded writes among them) may take to finish at shutdown. */
const HTTP_DRAIN_MS = 3000;

function resolveDnsConfig(config: AgentConfig): DnsConfig {
  try {
    return parseDnsConfig(config.dnsConfig);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
}

async function startDns(
  config: AgentConfig,
  dnsConfig: DnsConfig,
  context: AgentContext,
  catalogs: { local: DnsCatalog; remote: RemoteDnsCatalogs | undefined },
  bindAddress: string,
  port: number,
): Promise<DnsServer> {
  return startDnsServer({
    catalog: catalogs.local,
    remote: catalogs.remote,
    config: {
      ...dnsConfig,
      domain: config.domain,
      altDomain: config.altDomain,
      datacenter: config.datacenter,
      translateWanAddrs: config.translateWanAddrs,
      recursors: config.recursors,
      bindAddress,
      port,
    },
    logger: context.logger,
    observe: (ms) => context.telemetry.addSample(['dns', 'domain_query'], ms, { node: config.nodeName }),
  });
}
