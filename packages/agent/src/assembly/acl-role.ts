/**
 * Step 5 of a role's assembly: ACLs. A server resolves tokens from its own state, or in a
 * secondary datacenter from its replicated tables and the primary (and, as the leader, stores the
 * built-in policy and tokens, or replicates them from the primary); a client asks a server and
 * caches the answer.
 */
import type { Logger } from 'pino';
import { ServerIdentitySource } from '../acl/client-identity.js';
import { AclReplicationStatus } from '../acl/replication-status.js';
import { AclResolver } from '../acl/resolver.js';
import { serverIdentitySource, startServerAcl } from './server-acl.js';
import type { AgentConfig } from '../config/config.js';
import { loadPersistedTokens } from '../http/endpoints/agent-tokens.js';
import { ownCallOptions } from '../rpc/query-options.js';
import type { RpcRouter } from '../rpc/router.js';
import type { StateServer } from '../server/state-server.js';
import type { Telemetry } from '../telemetry/telemetry.js';
import type { Cleanups } from './cleanups.js';

export interface AclRole {
  acl: AclResolver;
  /** What `/v1/acl/replication` reports (never running outside a secondary's leader). */
  aclReplication: AclReplicationStatus;
}

export function startAcl(config: AgentConfig, server: StateServer | undefined, calls: RpcRouter, logger: Logger, telemetry: Telemetry, cleanups: Cleanups): AclRole {
  const serverAcl = server && {
    config,
    state: () => server.state,
    replicationToken: () => acl.tokens.replication,
    calls: () => calls,
  };
  const acl: AclResolver = new AclResolver({
    config: config.acl,
    nodeName: config.nodeName,
    source: serverAcl
      ? serverIdentitySource(serverAcl)
      : new ServerIdentitySource(async (secret) => (await calls.call('ACL.ResolveToken', { secret, datacenter: config.datacenter }, ownCallOptions(config.nodeName))).value),
    cache: !server,
  });
  if (config.acl.enableTokenPersistence && !config.dev) loadPersistedTokens(acl, config.dataDir);
  const aclReplication = new AclReplicationStatus();
  if (server && serverAcl && config.acl.enabled) cleanups.push(startServerAcl({ ...serverAcl, server, status: aclReplication, logger, gauges: telemetry }));
  return { acl, aclReplication };
}

/** The token of the agent's own calls: DNS views carry the dns (or default) token, the rest the agent (or default) token. */
export function ownToken(acl: AclResolver, method: string): string {
  if (!acl.enabled) return '';
  return (method.startsWith('Internal.DNS') ? acl.tokens.dns || acl.tokens.default : acl.tokens.agent || acl.tokens.default) || '';
}
