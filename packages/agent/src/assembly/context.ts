/**
 * Step 6 of a role's assembly: the context the HTTP endpoints and the typed methods work with. A
 * server also gets the ServerContext its methods answer from (its state, the leader's write
 * path, session timers, blocking queries, other datacenters).
 */
import type { Logger } from 'pino';
import type { AclReplicationStatus } from '../acl/replication-status.js';
import type { AclResolver } from '../acl/resolver.js';
import type { AgentContext, ServerContext } from '../agent-context.js';
import type { AgentConfig } from '../config/config.js';
import type { LogHub } from '../log/log-hub.js';
import type { StateServer } from '../server/state-server.js';
import type { Telemetry } from '../telemetry/telemetry.js';
import { VERSION } from '../version.js';
import type { ClusterRole } from './cluster-role.js';
import type { GossipPools } from './gossip-pools.js';
import type { LocalAgent } from './local-agent.js';

export interface ContextParts {
  config: AgentConfig;
  acl: AclResolver;
  aclReplication: AclReplicationStatus;
  server: StateServer | undefined;
  role: ClusterRole;
  pools: GossipPools;
  localAgent: LocalAgent;
  logger: Logger;
  logs: LogHub | undefined;
  telemetry: Telemetry;
  serverAddress: string;
  reload: () => Promise<void>;
  leave: () => Promise<void>;
}

export function buildContexts(p: ContextParts): { context: AgentContext; serverContext: ServerContext | undefined } {
  const { config, server, role, pools } = p;
  const { membership, wan } = pools;
  const context: AgentContext = {
    config,
    acl: p.acl,
    server,
    cluster: role.cluster,
    local: p.localAgent.local,
    events: p.localAgent.events,
    userEvents: p.localAgent.userEvents,
    logger: p.logger,
    logs: p.logs,
    telemetry: p.telemetry,
    startedAt: Date.now(),
    parkedReads: { count: 0 },
    version: VERSION,
    serverAddress: p.serverAddress,
    members: () => role.cluster.members(),
    wan,
    rpc: role.calls,
    coordinate: () => {
      const c = membership.gossip.coordinate();
      return { Vec: [...c.Vec], Error: c.Error, Adjustment: c.Adjustment, Height: c.Height };
    },
    write: role.write,
    reload: p.reload,
    leave: p.leave,
  };
  const sc = role.serverCluster;
  const serverContext: ServerContext | undefined =
    server && sc
      ? {
          ...context,
          server,
          apply: (command, token) => sc.write(command, token),
          sessionTimers: sc.sessionTimers,
          query: {
            watch: (topics, cb) => server.state.watch(topics, cb),
            defaultQueryTimeMs: config.defaultQueryTimeMs,
            maxQueryTimeMs: config.maxQueryTimeMs,
            random: Math.random,
          },
          datacenters: role.datacenters,
          aclReplication: p.aclReplication,
        }
      : undefined;
  if (serverContext) role.calls.attachLocal(serverContext);
  return { context, serverContext };
}
