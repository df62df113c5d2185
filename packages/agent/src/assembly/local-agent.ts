/**
 * Step 4 of a role's assembly: what the agent owns itself. Its services and checks (with their
 * runners and persisted state), the definitions from its config files, and its user events.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { AliasCatalog } from '../checks/alias-check.js';
import { startCheckRunner } from '../checks/index.js';
import { RemoteNodeWatch } from '../cluster/remote-node-watch.js';
import type { AgentConfig } from '../config/config.js';
import { EventBuffer } from '../events/event-buffer.js';
import { UserEvents } from '../events/user-events.js';
import { ConfigDefinitions } from '../local/config-definitions.js';
import { LocalState } from '../local/local-state.js';
import { LocalPersistence } from '../local/persistence.js';
import type { StateServer } from '../server/state-server.js';
import type { Cleanups } from './cleanups.js';
import type { ClusterRole } from './cluster-role.js';
import type { GossipPools } from './gossip-pools.js';

export interface LocalAgent {
  local: LocalState;
  configDefinitions: ConfigDefinitions;
  events: EventBuffer;
  userEvents: UserEvents;
}

export function startLocalAgent(config: AgentConfig, server: StateServer | undefined, role: ClusterRole, pools: GossipPools, logger: Logger, cleanups: Cleanups): LocalAgent {
  // Alias checks watch the catalog: a server's own state, or a client's servers.
  const remoteWatch = role.clientCluster ? new RemoteNodeWatch(role.internalCall) : undefined;
  if (remoteWatch) cleanups.push(() => remoteWatch.close());
  const aliasCatalog: AliasCatalog = server
    ? {
        checksOnNode: (node) => server.state.checksOnNode(node),
        serviceExists: (node, id) => server.state.servicesOnNode(node).some((x) => x.ID === id),
        watchNode: (node, cb) => server.state.watch([`node:${node}`], cb),
      }
    : (remoteWatch as RemoteNodeWatch);
  const local = new LocalState({
    nodeName: config.nodeName,
    write: (command, token) => role.write(command, token ? { token } : undefined),
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
    gossip: pools.membership.gossip,
    nodeName: config.nodeName,
    services: () => local.services.values(),
    buffer: events,
    logger,
  });
  cleanups.push(() => userEvents.close());
  return { local, configDefinitions, events, userEvents };
}
