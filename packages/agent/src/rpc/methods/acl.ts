/**
 * Consul's ACL endpoint: a secret's identity for client agents and secondary datacenters (its
 * accessor and its policies' rules, or null), the reads of the ACL tables, the ACL writes (tokens,
 * policies, roles, the bootstrap) through the leader — of the primary datacenter for what is
 * global — and the leader's replication status.
 */
import { type AclQuery, decodeAclQuery, runAclQuery } from '../../acl/acl-query.js';
import { aclReadDatacenter, aclWriteDatacenter, inPrimaryDatacenter, refuseDisabledLocalTokens } from '../../acl/primary-datacenter.js';
import { identityFromState } from '../../acl/resolver.js';
import { ArgsError } from '../args.js';
import { optStr, record, str } from '../args.js';
import { callMethod, queryMethod } from '../method.js';
import { applyMethod } from './apply.js';

export const aclMethods = {
  'ACL.ResolveToken': callMethod(
    'read',
    // `datacenter`: where the identity will be used (policies and identities limited to other
    // datacenters are left out); this server's own when not given.
    (raw) => ({ secret: str(record(raw), 'secret'), datacenter: optStr(record(raw), 'datacenter') }),
    // A secondary answers as it resolves tokens itself (replicated tables, else the primary).
    async ({ agent }, { secret, datacenter }) => ({
      value: inPrimaryDatacenter(agent) ? identityFromState(agent.server.state, secret, datacenter || agent.config.datacenter) : await agent.acl.identity(secret),
    }),
  ),
  'ACL.Read': queryMethod(
    (raw): AclQuery => {
      try {
        return decodeAclQuery(raw);
      } catch (err) {
        throw new ArgsError((err as Error).message);
      }
    },
    ({ agent }, q) => runAclQuery(agent.server.state, q),
    (q, agent) => aclReadDatacenter(q, agent),
  ),
  'ACL.Apply': applyMethod(
    ['acl-token-set', 'acl-token-delete', 'acl-policy-set', 'acl-policy-delete', 'acl-role-set', 'acl-role-delete', 'acl-bootstrap'],
    undefined,
    (env, command) => refuseDisabledLocalTokens(command, env.agent),
    ({ command }, agent) => aclWriteDatacenter(command, agent),
  ),
  // Consul answers from the leader and asks for no token: it tells nothing secret.
  'ACL.ReplicationStatus': callMethod(
    'leader',
    () => ({}),
    async ({ agent }) => ({ value: agent.aclReplication.view() }),
  ),
};
