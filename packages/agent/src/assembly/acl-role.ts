/**
 * Step 5 of a role's assembly: ACLs. A server resolves tokens from its own state (and, as the
 * leader, stores the built-in policy and tokens); a client asks a server and caches the answer.
 */
import type { Logger } from 'pino';
import { startAclBuiltins } from '../acl/builtins.js';
import { ServerIdentitySource } from '../acl/client-identity.js';
import { AclResolver, StateIdentitySource } from '../acl/resolver.js';
import type { AgentConfig } from '../config/config.js';
import { loadPersistedTokens } from '../http/endpoints/agent-tokens.js';
import { ownCallOptions } from '../rpc/query-options.js';
import type { RpcRouter } from '../rpc/router.js';
import type { StateServer } from '../server/state-server.js';
import type { Cleanups } from './cleanups.js';

export function startAcl(config: AgentConfig, server: StateServer | undefined, calls: RpcRouter, logger: Logger, cleanups: Cleanups): AclResolver {
  const acl = new AclResolver({
    config: config.acl,
    nodeName: config.nodeName,
    source: server
      ? new StateIdentitySource(() => server.state, config.datacenter)
      : new ServerIdentitySource(async (secret) => (await calls.call('ACL.ResolveToken', { secret, datacenter: config.datacenter }, ownCallOptions(config.nodeName))).value),
    cache: !server,
  });
  if (config.acl.enableTokenPersistence && !config.dev) loadPersistedTokens(acl, config.dataDir);
  if (server && config.acl.enabled) {
    cleanups.push(
      startAclBuiltins({
        state: () => server.state,
        isLeader: () => server.isLeader(),
        initialManagement: config.acl.tokens.initialManagement,
        write: (c) => server.write(c),
        onError: (err) => logger.debug({ err: String(err) }, 'acl: storing the built-in policy and tokens failed'),
      }),
    );
  }
  return acl;
}

/** The token of the agent's own calls: DNS views carry the dns (or default) token, the rest the agent (or default) token. */
export function ownToken(acl: AclResolver, method: string): string {
  if (!acl.enabled) return '';
  return (method.startsWith('Internal.DNS') ? acl.tokens.dns || acl.tokens.default : acl.tokens.agent || acl.tokens.default) || '';
}
