/**
 * A server's part of ACLs, by datacenter: in the primary, tokens resolve from the local tables and
 * the leader stores the built-ins; in a secondary, tokens resolve from the replicated tables or
 * through the primary, and the leader replicates from the primary instead.
 */
import type { StateStore } from '@concord/state';
import type { Logger } from 'pino';
import type { AgentConfig } from '../config/config.js';
import type { RpcRouter } from '../rpc/router.js';
import type { StateServer } from '../server/state-server.js';
import { ownCallOptions } from '../rpc/query-options.js';
import { startAclBuiltins } from '../acl/builtins.js';
import { CachedIdentitySource } from '../acl/cached-identity-source.js';
import { ServerIdentitySource } from '../acl/client-identity.js';
import type { AclReplicationStatus } from '../acl/replication-status.js';
import { AclReplicator, type AclReplicatorOptions } from '../acl/replicator.js';
import { type IdentitySource, StateIdentitySource } from '../acl/resolver.js';
import { SecondaryIdentitySource } from '../acl/secondary-identity.js';

export interface ServerAclOptions {
  config: AgentConfig;
  state: () => StateStore;
  /** The replication token now (it may be set at run time through /v1/agent/token/replication). */
  replicationToken: () => string | undefined;
  /** Typed calls (to the primary datacenter, from a secondary). */
  calls: () => RpcRouter;
}

const inPrimary = (config: AgentConfig) => config.acl.primaryDatacenter === config.datacenter;

/** Where a server's resolver finds a secret's identity. */
export function serverIdentitySource(o: ServerAclOptions): IdentitySource {
  if (inPrimary(o.config)) return new StateIdentitySource(o.state, o.config.datacenter);
  const { config } = o;
  const primary = new ServerIdentitySource(
    // The primary leaves out what is limited to other datacenters than this one.
    async (secret) =>
      (await o.calls().call('ACL.ResolveToken', { secret, datacenter: config.datacenter }, ownCallOptions(config.nodeName, { datacenter: config.acl.primaryDatacenter }))).value,
  );
  return new SecondaryIdentitySource({
    state: o.state,
    datacenter: config.datacenter,
    primary: new CachedIdentitySource(primary, config.acl),
    tokensReplicated: () => config.acl.enableTokenReplication && !!o.replicationToken(),
  });
}

/** Starts the leader's ACL work for this server's datacenter; returns the stop function. */
export function startServerAcl(o: ServerAclOptions & { server: StateServer; status: AclReplicationStatus; logger: Logger; gauges?: AclReplicatorOptions['gauges'] }): () => void {
  const { config, server, logger } = o;
  if (inPrimary(config)) {
    return startAclBuiltins({
      state: o.state,
      isLeader: () => server.isLeader(),
      initialManagement: config.acl.tokens.initialManagement,
      write: (c) => server.write(c),
      onError: (err) => logger.debug({ err: String(err) }, 'acl: storing the built-in policy and tokens failed'),
    });
  }
  const replicator = new AclReplicator({
    primaryDatacenter: config.acl.primaryDatacenter,
    tokens: config.acl.enableTokenReplication,
    replicationToken: o.replicationToken,
    isLeader: () => server.isLeader(),
    state: o.state,
    fetch: async (kind, minIndex, token, signal) => {
      const answer = await o.calls().call(
        'ACL.Read',
        kind === 'roles' ? { kind, policy: '' } : { kind },
        ownCallOptions(config.nodeName, {
          datacenter: config.acl.primaryDatacenter,
          token,
          consistency: 'stale',
          minQueryIndex: minIndex,
          maxQueryTimeMs: config.defaultQueryTimeMs,
        }),
        signal,
      );
      return { value: answer.value, index: answer.meta.index };
    },
    apply: async (command) => {
      const out = await server.write(command);
      if (out.result.error) throw out.result.error;
    },
    status: o.status,
    logger,
    ...(o.gauges ? { gauges: o.gauges } : {}),
  });
  return replicator.start();
}
