/**
 * Assembles an agent of any role (dev, server, client) from the same parts, in named steps:
 * 1. `openServerRole`: a server's RPC port, raft log (in memory for -dev) and state machine;
 * 2. `joinGossipPools`: the LAN pool, and a server's WAN pool;
 * 3. `assembleClusterRole`: ServerCluster or ClientCluster, and the typed calls over it;
 * 4. `startLocalAgent`: the agent's own services, checks and user events;
 * 5. `startAcl`: the ACL resolver (and a server's built-in policy and tokens);
 * 6. `buildContexts`: what the endpoints and typed methods work with;
 * 7. `prepareCatalogSync`: anti-entropy, the critical-service reaper, coordinates;
 * 8. `dnsCatalogs` and `startDnsAll`: DNS;
 * 9. `httpHandler` and `listenHttpAll`: HTTP and HTTPS;
 * then raft starts (servers), the agent joins its pools and the syncs begin.
 */
import { writeFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { AclResolver } from '../acl/resolver.js';
import type { AgentContext } from '../agent-context.js';
import type { AgentConfig } from '../config/config.js';
import { resolveAgentConfig } from '../config/config.js';
import type { LogHub } from '../log/log-hub.js';
import { emitRuntimeMetrics } from '../telemetry/runtime.js';
import { Telemetry } from '../telemetry/telemetry.js';
import { openAgentTls } from '../tls/agent-tls.js';
import { startWatches } from '../watches.js';
import { ownToken, startAcl } from './acl-role.js';
import type { LocalTimings } from './catalog-sync.js';
import { prepareCatalogSync } from './catalog-sync.js';
import type { Cleanups } from './cleanups.js';
import { type RetryJoinState, assembleClusterRole } from './cluster-role.js';
import { buildContexts } from './context.js';
import { dnsCatalogs, resolveDnsConfig, startDnsAll } from './dns-role.js';
import { joinGossipPools } from './gossip-pools.js';
import { httpHandler } from './http-handler.js';
import { listenHttpAll } from './http-listeners.js';
import { AgentLifecycle } from './lifecycle.js';
import { startLocalAgent } from './local-agent.js';
import { openServerRole } from './server-role.js';
import { joinAtStart } from './start-joins.js';

export interface AssembleOptions {
  /** The arguments the config came from, re-read on reload. */
  argv?: readonly string[];
  localTimings?: LocalTimings;
}

export interface AssembledAgent {
  httpPort: number;
  httpsPort: number;
  dnsPort: number;
  serfPort: number;
  serfWanPort: number;
  serverPort: number;
  context: AgentContext;
  lifecycle: AgentLifecycle;
}

export async function assembleAgent(config: AgentConfig, options: AssembleOptions, logger: Logger, logs: LogHub | undefined, cleanups: Cleanups): Promise<AssembledAgent> {
  const tls = openAgentTls(config);
  const telemetry = new Telemetry(config.telemetry);
  cleanups.push(emitRuntimeMetrics(telemetry));
  const lifecycle = new AgentLifecycle(config, logger, cleanups);

  const serverRole = config.server ? await openServerRole(config, logger, tls, telemetry, cleanups) : undefined;
  const server = serverRole?.server;
  const rpcPort = serverRole?.rpc.port ?? 0;
  const serverAddress = `${config.advertiseAddr}:${rpcPort || config.ports.server}`;
  if (config.pidFile) writeFileSync(config.pidFile, `${process.pid}\n`);

  const pools = await joinGossipPools(config, serverRole !== undefined, rpcPort, logger, telemetry, cleanups);

  const retryJoin: RetryJoinState = { pending: config.retryJoin.length > 0 };
  // The agent's own calls carry its ACL tokens, known once step 5 ran.
  let acl: AclResolver | undefined;
  const role = assembleClusterRole(
    { config, serverRole, pools, serverAddress, tls, logger, telemetry, retryJoin, ownToken: (method) => (acl ? ownToken(acl, method) : '') },
    cleanups,
  );
  lifecycle.attach(role.cluster, role.serverCluster, pools.wan);

  const localAgent = startLocalAgent(config, server, role, pools, logger, cleanups);
  const aclRole = startAcl(config, server, role.calls, logger, telemetry, cleanups);
  acl = aclRole.acl;

  const { context, serverContext } = buildContexts({
    config,
    acl,
    aclReplication: aclRole.aclReplication,
    server,
    role,
    pools,
    localAgent,
    logger,
    logs,
    telemetry,
    serverAddress,
    reload: async () => {
      if (!options.argv) return;
      const next = resolveAgentConfig(options.argv);
      tls.reload(next.tls);
      localAgent.configDefinitions.apply(next.services, next.checks);
      if (logs) logs.setLevel(next.logLevel);
      else logger.level = next.logLevel;
      logger.info('agent: reloaded configuration');
    },
    leave: () => lifecycle.leave(),
  });

  const catalogSync = prepareCatalogSync({ config, server, role, pools, localAgent, context, timings: options.localTimings ?? {}, logger }, cleanups);

  const dnsConfig = resolveDnsConfig(config);
  const catalogs = dnsCatalogs(config, dnsConfig, server, serverContext, role, pools.wan !== undefined, acl);
  const { handle, guard } = httpHandler({ config, context, acl, calls: role.calls, server, serverCluster: role.serverCluster, telemetry, logger }, cleanups);
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

  const dns = await startDnsAll(config, dnsConfig, context, catalogs, cleanups);

  await role.serverCluster?.start();
  const joinAbort = new AbortController();
  cleanups.push(() => joinAbort.abort());
  const { membership, wan } = pools;
  await joinAtStart(config, { pool: 'LAN', start: config.startJoin, retry: config.retryJoin, join: (a) => membership.join(a) }, logger, joinAbort.signal, retryJoin);
  if (wan) {
    const pool = { pool: 'WAN', start: config.startJoinWan, retry: config.retryJoinWan, join: (a: readonly string[]) => wan.join(a) };
    await joinAtStart(config, pool, logger, joinAbort.signal, { pending: false });
  }
  catalogSync.start();

  return {
    httpPort,
    httpsPort,
    dnsPort: dns?.udpPort ?? -1,
    serfPort: membership.port,
    serfWanPort: wan?.port ?? -1,
    serverPort: rpcPort,
    context,
    lifecycle,
  };
}
