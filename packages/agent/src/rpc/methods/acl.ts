/**
 * Consul's ACL endpoint: a secret's identity for client agents (its accessor and its policies'
 * rules, or null), and the ACL writes (tokens, policies, roles, the bootstrap) through the leader.
 */
import { decodeAclQuery, runAclQuery } from '../../acl/acl-query.js';
import { identityFromState } from '../../acl/resolver.js';
import { ArgsError } from '../args.js';
import { record, str } from '../args.js';
import { callMethod, queryMethod } from '../method.js';
import { applyMethod } from './apply.js';

export const aclMethods = {
  'ACL.ResolveToken': callMethod(
    'read',
    (raw) => ({ secret: str(record(raw), 'secret') }),
    async ({ agent }, { secret }) => ({ value: identityFromState(agent.server.state, secret) }),
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
