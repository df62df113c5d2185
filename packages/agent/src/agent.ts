import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from '@concord/state';
import { type Logger, pino } from 'pino';
import pinoPretty from 'pino-pretty';
import type { AgentContext, MemberInfo } from './agent-context.js';
import { type AgentConfig, ConfigError, resolveAgentConfig } from './config/config.js';
import { type DnsConfig, type DnsServer, parseDnsConfig, startDnsServer, stateCatalog } from './dns/index.js';
import { EventBuffer } from './events/event-buffer.js';
import { agentRoutes } from './http/endpoints/agent.js';
import { catalogRoutes } from './http/endpoints/catalog.js';
import { eventRoutes } from './http/endpoints/event-list.js';
import { healthRoutes } from './http/endpoints/health.js';
import { kvRoutes } from './http/endpoints/kv.js';
import { metricsRoutes } from './http/endpoints/metrics.js';
import { sessionRoutes } from './http/endpoints/session.js';
import { statusRoutes } from './http/endpoints/status.js';
import { txnRoutes } from './http/endpoints/txn.js';
import { fromStateError } from './http/http-error.js';
import { sendText } from './http/respond.js';
import { serveKvGetFast } from './http/kv-fast-path.js';
import { Router } from './http/router.js';
import { parseCheckDefinition, parseServiceDefinition } from './local/definitions.js';
import { LocalState } from './local/local-state.js';
import { startCheckRunner } from './checks/index.js';
import { AntiEntropy } from './local/anti-entropy.js';
import { startCriticalReaper } from './local/critical-reaper.js';
import { LocalPersistence } from './local/persistence.js';
import type { CommandLog } from './log/command-log.js';
import { LevelLog } from './log/level-log.js';
import { MemoryLog } from './log/memory-log.js';
import { SessionTimers } from './server/session-timers.js';
import { StateServer, type WriteResult } from './server/state-server.js';
import { TombstoneReaper } from './server/tombstone-reaper.js';

export const VERSION = '0.1.0';

export interface RunningAgent {
  readonly config: AgentConfig;
  readonly httpPort: number;
  readonly dnsPort: number;
  readonly context: AgentContext;
  /** Resolves when the agent has stopped (after `close()` or a `leave`). */
  readonly stopped: Promise<void>;
  close(): Promise<void>;
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

function makeLogger(config: AgentConfig): Logger {
  const level = config.logLevel;
  if (config.logJson) return pino({ level }, pino.destination({ fd: 1, sync: false }));
  return pino({ level }, pinoPretty({ colorize: false, translateTime: 'SYS:standard', ignore: 'pid,hostname', destination: 1, sync: true }));
}

/** Is this configuration a single server that can run on its own? */
function assertSingleServer(config: AgentConfig): void {
  if (config.dev) return;
  if (!config.server) throw new ConfigError('Client agents need a server cluster; start this agent with -server -bootstrap-expect=1 or -dev');
  if (!config.bootstrap) {
    throw new ConfigError('Only a single self-bootstrapping server is supported: use -bootstrap or -bootstrap-expect=1');
  }
}

export async function startAgent(config: AgentConfig, options: StartOptions = {}): Promise<RunningAgent> {
  assertSingleServer(config);
  const logger = options.logger ?? makeLogger(config);
  let log: CommandLog;
  if (config.dev) log = new MemoryLog();
  else {
    const dir = join(config.dataDir as string, 'state');
    mkdirSync(dir, { recursive: true });
    log = new LevelLog({ path: dir });
  }
  const server = new StateServer(log, config.datacenter);
  await server.open();
  if (config.pidFile) writeFileSync(config.pidFile, `${process.pid}\n`);

  const serverAddress = `${config.advertiseAddr}:${config.ports.server === 0 ? 8300 : config.ports.server}`;
  let resolveStopped: () => void = () => {};
  const stopped = new Promise<void>((r) => {
    resolveStopped = r;
  });

  const write = async (command: Command): Promise<WriteResult> => {
    const out = await server.write(command);
    if (out.result.error) throw fromStateError(out.result.error);
    return out;
  };
  const sessionTimers = new SessionTimers((id) => {
    write({ type: 'session-destroy', id }).catch((err: unknown) => logger.warn({ err }, 'session expiry failed'));
  });
  const local = new LocalState({
    nodeName: config.nodeName,
    write,
    onError: (err) => logger.warn({ err: String(err) }, 'agent: catalog sync failed'),
    ...(config.dev ? {} : { persistence: new LocalPersistence(join(config.dataDir as string, 'local')) }),
    startRunner: (def, source, report) =>
      startCheckRunner(
        def,
        {
          nodeName: config.nodeName,
          scriptsAllowed: config.enableScriptChecks || (source === 'config' && config.enableLocalScriptChecks),
          catalog: {
            checksOnNode: (node) => server.state.checksOnNode(node),
            serviceExists: (node, id) => server.state.servicesOnNode(node).some((s) => s.ID === id),
            watchNode: (node, cb) => server.state.watch([`node:${node}`], cb),
          },
        },
        report,
      ),
  });
  const events = new EventBuffer();
  const members = (): MemberInfo[] => [
    {
      Name: config.nodeName,
      Addr: config.advertiseAddr,
      Port: config.ports.serfLan === 0 ? 8301 : config.ports.serfLan,
      Tags: {
        build: `${VERSION}:concord`,
        dc: config.datacenter,
        id: config.nodeId,
        port: String(config.ports.server),
        role: config.server ? 'consul' : 'node',
        segment: '',
        vsn: '2',
        vsn_max: '3',
        vsn_min: '2',
        raft_vsn: '3',
        ...(config.bootstrap ? { bootstrap: '1' } : {}),
        ...(config.bootstrapExpect ? { expect: String(config.bootstrapExpect) } : {}),
      },
      Status: 1,
      ProtocolMin: 1,
      ProtocolMax: 5,
      ProtocolCur: 2,
      DelegateMin: 2,
      DelegateMax: 5,
      DelegateCur: 4,
    },
  ];

  let closing: Promise<void> | undefined;
  const context: AgentContext = {
    config,
    server,
    local,
    events,
    logger,
    sessionTimers,
    startedAt: Date.now(),
    version: VERSION,
    serverAddress,
    query: {
      watch: (topics, cb) => server.state.watch(topics, cb),
      defaultQueryTimeMs: config.defaultQueryTimeMs,
      maxQueryTimeMs: config.maxQueryTimeMs,
      random: Math.random,
    },
    members,
    write,
    reload: async () => {
      if (!options.argv) return;
      const next = resolveAgentConfig(options.argv);
      applyConfigDefinitions(local, next, config);
      logger.level = next.logLevel;
      logger.info('agent: reloaded configuration');
    },
    leave: () => close(),
  };

  // This server is its own leader: register its node, its serfHealth and the consul service.
  await write({
    type: 'register',
    reg: {
      ID: config.nodeId,
      Node: config.nodeName,
      Address: config.advertiseAddr,
      TaggedAddresses: {
        lan: config.advertiseAddr,
        lan_ipv4: config.advertiseAddr,
        wan: config.advertiseAddr,
        wan_ipv4: config.advertiseAddr,
      },
      NodeMeta: { 'consul-network-segment': '', ...config.nodeMeta },
      Service: {
        ID: 'consul',
        Service: 'consul',
        Port: config.ports.server === 0 ? 8300 : config.ports.server,
        Meta: { raft_version: '3', serf_protocol_current: '2', serf_protocol_max: '5', serf_protocol_min: '1', version: VERSION },
      },
      Checks: [{ CheckID: 'serfHealth', Name: 'Serf Health Status', Status: 'passing', Output: 'Agent alive and reachable', Type: '' }],
    },
  });
  sessionTimers.resetAll(server.state.sessions().value);
  applyConfigDefinitions(local, config, undefined);
  local.restorePersisted((path, err) => logger.warn({ path, err: String(err) }, 'agent: skipped unreadable local state file'));
  const timings = options.localTimings ?? {};
  const antiEntropy = new AntiEntropy({
    local,
    catalog: {
      servicesOnNode: (node) => server.state.servicesOnNode(node),
      checksOnNode: (node) => server.state.checksOnNode(node),
      nodeCount: () => server.state.nodes().value.length,
    },
    ...(timings.antiEntropyIntervalMs ? { intervalMs: timings.antiEntropyIntervalMs } : {}),
    onError: (err) => logger.warn({ err: String(err) }, 'agent: anti-entropy sync failed'),
  });
  antiEntropy.start();
  const stopCriticalReaper = startCriticalReaper(local, {
    ...(timings.checkReapIntervalMs ? { intervalMs: timings.checkReapIntervalMs } : {}),
    ...(timings.deregisterCriticalMinMs !== undefined ? { minimumMs: timings.deregisterCriticalMinMs } : {}),
    onReap: (serviceId, checkId) => logger.info({ serviceId, checkId }, 'agent: check critical for too long, deregistered service'),
  });
  const reaper = new TombstoneReaper(server.state, write, logger);

  const router = new Router();
  for (const routes of [
    kvRoutes(context),
    txnRoutes(context),
    sessionRoutes(context),
    catalogRoutes(context),
    healthRoutes(context),
    agentRoutes(context),
    statusRoutes(context),
    eventRoutes(context),
    metricsRoutes(context),
  ]) {
    for (const r of routes) router.add(r);
  }
  router.onError((err, ctx) => {
    const status = (err as { status?: number }).status;
    if (status === undefined || status >= 500) logger.debug({ err: String(err), path: ctx.path }, 'http: request failed');
  });
  const extraHeaders = Object.entries(config.responseHeaders);
  const blocked = config.blockEndpoints;
  const prettyAll = false;
  const fastPath = extraHeaders.length === 0 && blocked.length === 0;
  const http: Server = createServer((req, res) => {
    if (fastPath && serveKvGetFast(req, res, server.state)) return;
    res.setHeader('X-Consul-Default-ACL-Policy', 'allow');
    for (const [k, v] of extraHeaders) res.setHeader(k, v);
    if (blocked.length > 0 && blocked.some((b) => (req.url ?? '').startsWith(b))) {
      sendText(res, 403, 'Endpoint is blocked by agent configuration');
      return;
    }
    router.handle(req, res, (q) => prettyAll || q.has('pretty'));
  });
  http.keepAliveTimeout = 30_000;
  http.headersTimeout = 60_000;
  http.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.ports.http, config.httpAddr, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const httpPort = (http.address() as AddressInfo).port;

  let dns: DnsServer | undefined;
  if (config.ports.dns >= 0) {
    try {
      dns = await startDns(config, context);
    } catch (err) {
      await new Promise<void>((r) => http.close(() => r()));
      await server.close();
      throw err;
    }
  }

  const close = (): Promise<void> => {
    if (closing) return closing;
    closing = (async () => {
      logger.info('agent: shutting down');
      reaper.stop();
      sessionTimers.clear();
      antiEntropy.stop();
      stopCriticalReaper();
      local.close();
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
      await dns?.close();
      await server.close();
      if (config.pidFile) rmSync(config.pidFile, { force: true });
      resolveStopped();
    })();
    return closing;
  };

  return { config, httpPort, dnsPort: dns?.udpPort ?? -1, context, stopped, close };
}

async function startDns(config: AgentConfig, context: AgentContext): Promise<DnsServer> {
  let dnsConfig: DnsConfig;
  try {
    dnsConfig = parseDnsConfig(config.dnsConfig);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  return startDnsServer({
    catalog: stateCatalog(context.server.state),
    config: {
      ...dnsConfig,
      domain: config.domain,
      altDomain: config.altDomain,
      datacenter: config.datacenter,
      recursors: config.recursors,
      bindAddress: config.dnsAddr,
      port: config.ports.dns,
    },
    logger: context.logger,
  });
}

/** Registers the services and checks of config files (and drops the ones a reload removed). */
function applyConfigDefinitions(local: LocalState, next: AgentConfig, prev: AgentConfig | undefined): void {
  const keepServices = new Set<string>();
  for (const raw of next.services) {
    const { service, checks } = parseServiceDefinition(raw);
    keepServices.add(service.ID);
    local.addService(service, checks, true, { source: 'config' });
  }
  const keepChecks = new Set<string>();
  for (const raw of next.checks) {
    const def = parseCheckDefinition(raw);
    keepChecks.add(def.CheckID);
    local.addCheck(def, { source: 'config' });
  }
  if (prev) {
    for (const raw of prev.services) {
      const id = parseServiceDefinition(raw).service.ID;
      if (!keepServices.has(id)) local.removeService(id);
    }
    for (const raw of prev.checks) {
      const id = parseCheckDefinition(raw).CheckID;
      if (!keepChecks.has(id)) local.removeCheck(id);
    }
  }
}
