/**
 * Consul's ACL endpoint: a secret's identity for client agents (its accessor and its policies'
 * rules, or null), and the ACL writes (tokens, policies, roles, the bootstrap) through the leader.
 */
import { decodeAclQuery, runAclQuery } from '../../acl/acl-query.js';
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
    async ({ agent }, { secret, datacenter }) => ({ value: identityFromState(agent.server.state, secret, datacenter || agent.config.datacenter) }),
  ),
  'ACL.Read': queryMethod(
    (raw) => {
      try {
        return decodeAclQuery(raw);
      } catch (err) {
        throw new ArgsError((err as Error).message);
      }
    },
    ({ agent }, q) => runAclQuery(agent.server.state, q),
  ),
  'ACL.Apply': applyMethod(['acl-token-set', 'acl-token-delete', 'acl-policy-set', 'acl-policy-delete', 'acl-role-set', 'acl-role-delete', 'acl-bootstrap']),
};
