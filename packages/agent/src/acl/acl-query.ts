/** The reads of the ACL tables the ACL API makes, as one argument of the typed `ACL.Read`. */
import type { AclPolicy, AclRole, AclToken, QueryResult, StateStore } from '@concord/state';

export type AclQuery =
  | { kind: 'token'; id: string }
  | { kind: 'token-secret'; secret: string }
  | { kind: 'tokens'; policy: string; role: string; serviceName?: string }
  /** The global tokens with their secrets, for a secondary's replication (needs acl write). */
  | { kind: 'global-tokens' }
  | { kind: 'policy'; id: string }
  | { kind: 'policy-name'; name: string }
  | { kind: 'policies' }
  | { kind: 'role'; id: string }
  | { kind: 'role-name'; name: string }
  | { kind: 'roles'; policy: string };

export type AclQueryValue = AclToken | AclToken[] | AclPolicy | AclPolicy[] | AclRole | AclRole[] | undefined;

const KINDS = new Set(['token', 'token-secret', 'tokens', 'global-tokens', 'policy', 'policy-name', 'policies', 'role', 'role-name', 'roles']);

/** Checks an `ACL.Read` argument as it arrives; throws with what is wrong. */
export function decodeAclQuery(raw: unknown): AclQuery {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('arguments must be an object');
  const r = raw as Record<string, unknown>;
  const kind = r.kind;
  if (typeof kind !== 'string' || !KINDS.has(kind)) throw new Error(`unknown ACL read ${String(kind)}`);
  for (const k of ['id', 'secret', 'name', 'policy', 'role', 'serviceName']) {
    if (r[k] !== undefined && (typeof r[k] !== 'string' || (r[k] as string).length > 512)) throw new Error(`${k} must be a string`);
  }
  const s = (k: string) => (r[k] as string | undefined) ?? '';
  switch (kind) {
    case 'token':
    case 'policy':
    case 'role':
      return { kind, id: s('id') };
    case 'token-secret':
      return { kind, secret: s('secret') };
    case 'policy-name':
    case 'role-name':
      return { kind, name: s('name') };
    case 'tokens':
      return { kind, policy: s('policy'), role: s('role'), ...(s('serviceName') ? { serviceName: s('serviceName') } : {}) };
    case 'roles':
      return { kind, policy: s('policy') };
    case 'global-tokens':
      return { kind };
    default:
      return { kind: 'policies' };
  }
}

/** Runs a read against the state. */
export function runAclQuery(state: StateStore, q: AclQuery): QueryResult<AclQueryValue> {
  switch (q.kind) {
    case 'token':
      return state.aclToken(q.id);
    case 'token-secret':
      return state.aclTokenBySecret(q.secret);
    case 'tokens':
      return state.aclTokens({ ...(q.policy ? { policy: q.policy } : {}), ...(q.role ? { role: q.role } : {}), ...(q.serviceName ? { serviceName: q.serviceName } : {}) });
    case 'global-tokens': {
      const all = state.aclTokens();
      return { ...all, value: all.value.filter((t) => !t.Local) };
    }
    case 'policy':
      return state.aclPolicy(q.id);
    case 'policy-name':
      return state.aclPolicyByName(q.name);
    case 'policies':
      return state.aclPolicies();
    case 'role':
      return state.aclRole(q.id);
    case 'role-name':
      return state.aclRoleByName(q.name);
    case 'roles':
      return state.aclRoles(q.policy ? { policy: q.policy } : {});
  }
}
