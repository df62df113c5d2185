/**
 * Step 7 of a role's assembly: keeping the catalog in step with the agent. Anti-entropy syncs
 * the agent's node, services and checks; services critical for too long are reaped; the node's
 * network coordinate is sent periodically. Created here, started once the agent is up.
 */
import type { Logger } from 'pino';
import type { AgentContext } from '../agent-context.js';
import { remoteNodeView } from '../cluster/remote-catalog.js';
import type { AgentConfig } from '../config/config.js';
import { AntiEntropy, type NodeCatalogView } from '../local/anti-entropy.js';
import { CoordinateSync } from '../local/coordinate-sync.js';
import { startCriticalReaper } from '../local/critical-reaper.js';
import type { StateServer } from '../server/state-server.js';
import type { Cleanups } from './cleanups.js';
import type { ClusterRole } from './cluster-role.js';
import type { GossipPools } from './gossip-pools.js';
import type { LocalAgent } from './local-agent.js';
import { warnOnceThenDebug } from './rate-limited-logs.js';

/** Local-state timings (tests shorten them; the defaults are Consul's). */
export interface LocalTimings {
  /** Base period of anti-entropy full syncs (default 1 minute, scaled by cluster size). */
  antiEntropyIntervalMs?: number;
  /** How often services with long-critical checks are reaped (default 30 s). */
  checkReapIntervalMs?: number;
  /** Smallest honoured DeregisterCriticalServiceAfter (default 1 minute). */
  deregisterCriticalMinMs?: number;
}

export interface CatalogSync {
  /** Starts the periodic syncs (at the end of the start). */
  start(): void;
}

export interface CatalogSyncParts {
  config: AgentConfig;
  server: StateServer | undefined;
  role: ClusterRole;
  pools: GossipPools;
  localAgent: LocalAgent;
  context: AgentContext;
  timings: LocalTimings;
  logger: Logger;
}

export function prepareCatalogSync(p: CatalogSyncParts, cleanups: Cleanups): CatalogSync {
  const { config, server, role, logger } = p;
  const { local, configDefinitions } = p.localAgent;
  configDefinitions.apply(config.services, config.checks);
  local.restorePersisted((path, err) => logger.warn({ path, err: String(err) }, 'agent: skipped unreadable local state file'));
  const timings = p.timings;
  const nodeView = server
    ? (node: string): NodeCatalogView => {
        const state = server.state;
        return { node: state.node(node), services: state.servicesOnNode(node), checks: state.checksOnNode(node), nodeCount: state.nodes().value.length };
      }
    : async (node: string): Promise<NodeCatalogView> => (await remoteNodeView(role.internalCall, node)).value;
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
    writeNode: (reg) => role.write({ type: 'register', reg }),
    ...(timings.antiEntropyIntervalMs ? { intervalMs: timings.antiEntropyIntervalMs } : {}),
    onError: warnOnceThenDebug(logger, 'agent: anti-entropy sync failed'),
  });
  const stopCriticalReaper = startCriticalReaper(local, {
    ...(timings.checkReapIntervalMs ? { intervalMs: timings.checkReapIntervalMs } : {}),
    ...(timings.deregisterCriticalMinMs !== undefined ? { minimumMs: timings.deregisterCriticalMinMs } : {}),
    onReap: (serviceId, checkId) => logger.info({ serviceId, checkId }, 'agent: check critical for too long, deregistered service'),
  });
  const membership = p.pools.membership;
  const coordinateSync = new CoordinateSync({
    node: config.nodeName,
    intervalMinMs: config.syncCoordinateIntervalMinMs,
    rateTarget: config.syncCoordinateRateTarget,
    coordinate: () => p.context.coordinate(),
    memberCount: () => membership.gossip.members().length,
    isRegistered: async () => (await nodeView(config.nodeName)).node !== undefined,
    write: role.write,
    onError: (err) => logger.debug({ err: String(err) }, 'agent: coordinate update failed'),
  });
  cleanups.push(() => {
    antiEntropy.stop();
    coordinateSync.stop();
    stopCriticalReaper();
  });
  return {
    start: () => {
      antiEntropy.start();
      coordinateSync.start();
    },
  };
}
