/**
 * The ACL tables: tokens (by accessor, with a secret index), policies, roles and the bootstrap
 * marker, with Consul's integrity rules (unique names and secrets, links to existing policies and
 * roles, built-ins that cannot be deleted). Links are stored by ID and named on read; links to
 * deleted policies or roles are left out of what a read answers, as Consul does.
 */
import type { ApplyContext, StateData } from './data.js';
import { StateError } from './errors.js';
import type { AclLink, AclNodeIdentity, AclPolicy, AclRole, AclServiceIdentity, AclToken } from './types.js';

export const GLOBAL_MANAGEMENT_POLICY_ID = '00000000-0000-0000-0000-000000000001';
export const ANONYMOUS_TOKEN_ID = '00000000-0000-0000-0000-000000000002';
export const ANONYMOUS_TOKEN_SECRET = 'anonymous';

const invalid = (msg: string) => new StateError('STATE_INVALID_REQUEST', msg);

function checkLinks(data: StateData, links: readonly AclLink[], kind: 'policy' | 'role'): AclLink[] {
  if (!Array.isArray(links)) throw invalid(`${kind === 'policy' ? 'Policies' : 'Roles'} must be a list`);
  const table = kind === 'policy' ? data.aclPolicies : data.aclRoles;
  const seen = new Set<string>();
  const out: AclLink[] = [];
  for (const l of links) {
    if (!table.has(l.ID)) throw invalid(`No such ACL ${kind} with ID ${JSON.stringify(l.ID)}`);
    if (seen.has(l.ID)) continue;
    seen.add(l.ID);
    out.push({ ID: l.ID, Name: '' });
  }
  return out;
}

const MAX_IDENTITIES = 256;

/** The identities of a token or role as stored: strings only, bounded, left out when there are none. */
function identities(v: { ServiceIdentities?: readonly AclServiceIdentity[]; NodeIdentities?: readonly AclNodeIdentity[] }): {
  ServiceIdentities?: AclServiceIdentity[];
  NodeIdentities?: AclNodeIdentity[];
} {
  const svc = v.ServiceIdentities ?? [];
  const node = v.NodeIdentities ?? [];
  if (!Array.isArray(svc) || !Array.isArray(node)) throw invalid('Identities must be lists');
  if (svc.length > MAX_IDENTITIES || node.length > MAX_IDENTITIES) throw invalid(`At most ${MAX_IDENTITIES} identities of each kind`);
  const out: { ServiceIdentities?: AclServiceIdentity[]; NodeIdentities?: AclNodeIdentity[] } = {};
  if (svc.length > 0) {
    out.ServiceIdentities = svc.map((i) => {
      const dcs = Array.isArray(i?.Datacenters) ? i.Datacenters.map(String) : [];
      return { ServiceName: String(i?.ServiceName ?? ''), ...(dcs.length > 0 ? { Datacenters: dcs } : {}) };
    });
  }
  if (node.length > 0) out.NodeIdentities = node.map((i) => ({ NodeName: String(i?.NodeName ?? ''), Datacenter: String(i?.Datacenter ?? '') }));
  return out;
}

export function setAclToken(ctx: ApplyContext, token: AclToken, op: 'create' | 'update'): AclToken {
  const d = ctx.data;
  if (typeof token?.AccessorID !== 'string' || token.AccessorID === '' || typeof token.SecretID !== 'string' || token.SecretID === '') {
    throw invalid('Token AccessorID and SecretID are required');
  }
  const prev = d.aclTokens.get(token.AccessorID);
  if (op === 'create' && prev) throw invalid(`Invalid Token: AccessorID is already in use`);
  if (op === 'update' && !prev) throw invalid(`Cannot find token ${JSON.stringify(token.AccessorID)}`);
  if (prev && prev.SecretID !== token.SecretID) throw invalid('Changing a tokens SecretID is not permitted');
  const owner = d.aclSecrets.get(token.SecretID);
  if (owner !== undefined && owner !== token.AccessorID) throw invalid('Invalid Token: SecretID is already in use');
  const stored: AclToken = {
    AccessorID: token.AccessorID,
    SecretID: token.SecretID,
    Description: String(token.Description ?? ''),
    Policies: checkLinks(d, token.Policies ?? [], 'policy'),
    Roles: checkLinks(d, token.Roles ?? [], 'role'),
    ...identities(token),
    Local: prev ? prev.Local : Boolean(token.Local),
    ...((prev?.ExpirationTime ?? token.ExpirationTime) ? { ExpirationTime: prev?.ExpirationTime ?? token.ExpirationTime } : {}),
    CreateTime: prev?.CreateTime ?? String(token.CreateTime ?? ''),
    Hash: String(token.Hash ?? ''),
    CreateIndex: prev?.CreateIndex ?? ctx.index,
    ModifyIndex: ctx.index,
  };
  ctx.mapSet(d.aclTokens, stored.AccessorID, stored);
  ctx.mapSet(d.aclSecrets, stored.SecretID, stored.AccessorID);
  ctx.bumpTable('acl-tokens');
  return stored;
}

export function deleteAclToken(ctx: ApplyContext, accessorId: string): boolean {
  if (accessorId === ANONYMOUS_TOKEN_ID) throw invalid('Delete operation not permitted on the anonymous token');
  const prev = ctx.data.aclTokens.get(accessorId);
  if (!prev) return false;
  ctx.mapDelete(ctx.data.aclTokens, accessorId);
  ctx.mapDelete(ctx.data.aclSecrets, prev.SecretID);
  ctx.bumpTable('acl-tokens');
  return true;
}

function findByName<T extends { ID: string; Name: string }>(table: Map<string, T>, name: string): T | undefined {
  for (const v of table.values()) if (v.Name === name) return v;
  return undefined;
}

export function setAclPolicy(ctx: ApplyContext, policy: AclPolicy, op: 'create' | 'update'): AclPolicy {
  const d = ctx.data;
  if (typeof policy?.ID !== 'string' || policy.ID === '') throw invalid('Policy ID is required');
  if (typeof policy.Name !== 'string' || policy.Name === '') throw invalid('Invalid Policy: no Name is set');
  const prev = d.aclPolicies.get(policy.ID);
  if (op === 'create' && prev) throw invalid('Invalid Policy: ID is already in use');
  if (op === 'update' && !prev) throw invalid(`Cannot find policy ${JSON.stringify(policy.ID)}`);
  const sameName = findByName(d.aclPolicies, policy.Name);
  if (sameName && sameName.ID !== policy.ID) throw invalid(`Invalid Policy: A Policy with Name ${JSON.stringify(policy.Name)} already exists`);
  if (prev && policy.ID === GLOBAL_MANAGEMENT_POLICY_ID) {
    if (policy.Rules !== prev.Rules) throw invalid('Changing the Rules for the builtin global-management policy is not permitted');
    if ((policy.Datacenters ?? []).length > 0) throw invalid('Changing the Datacenters of the builtin global-management policy is not permitted');
  }
  const stored: AclPolicy = {
    ID: policy.ID,
    Name: policy.Name,
    Description: String(policy.Description ?? ''),
    Rules: String(policy.Rules ?? ''),
    Datacenters: Array.isArray(policy.Datacenters) ? policy.Datacenters.map(String) : [],
    Hash: String(policy.Hash ?? ''),
    CreateIndex: prev?.CreateIndex ?? ctx.index,
    ModifyIndex: ctx.index,
  };
  ctx.mapSet(d.aclPolicies, stored.ID, stored);
  ctx.bumpTable('acl-policies');
  return stored;
}

export function deleteAclPolicy(ctx: ApplyContext, id: string): boolean {
  if (id === GLOBAL_MANAGEMENT_POLICY_ID) throw invalid('Delete operation not permitted on the builtin global-management policy');
  if (!ctx.data.aclPolicies.has(id)) return false;
  ctx.mapDelete(ctx.data.aclPolicies, id);
  ctx.bumpTable('acl-policies');
  return true;
}

export function setAclRole(ctx: ApplyContext, role: AclRole, op: 'create' | 'update'): AclRole {
  const d = ctx.data;
  if (typeof role?.ID !== 'string' || role.ID === '') throw invalid('Role ID is required');
  if (typeof role.Name !== 'string' || role.Name === '') throw invalid('Role name is missing');
  const prev = d.aclRoles.get(role.ID);
  if (op === 'create' && prev) throw invalid('Invalid Role: ID is already in use');
  if (op === 'update' && !prev) throw invalid(`Cannot find role ${JSON.stringify(role.ID)}`);
  const sameName = findByName(d.aclRoles, role.Name);
  if (sameName && sameName.ID !== role.ID) throw invalid(`Invalid Role: A Role with Name ${JSON.stringify(role.Name)} already exists`);
  const stored: AclRole = {
    ID: role.ID,
    Name: role.Name,
    Description: String(role.Description ?? ''),
    Policies: checkLinks(d, role.Policies ?? [], 'policy'),
    ...identities(role),
    Hash: String(role.Hash ?? ''),
    CreateIndex: prev?.CreateIndex ?? ctx.index,
    ModifyIndex: ctx.index,
  };
  ctx.mapSet(d.aclRoles, stored.ID, stored);
  ctx.bumpTable('acl-roles');
  return stored;
}

export function deleteAclRole(ctx: ApplyContext, id: string): boolean {
  if (!ctx.data.aclRoles.has(id)) return false;
  ctx.mapDelete(ctx.data.aclRoles, id);
  ctx.bumpTable('acl-roles');
  return true;
}

/** The one-time bootstrap; the marker is the index it happened at. */
export function bootstrapAcl(ctx: ApplyContext, token: AclToken, resetIndex: number | undefined): AclToken {
  const done = ctx.data.aclBootstrapIndex;
  if (done !== undefined && resetIndex !== done) {
    throw new StateError('STATE_ACL_BOOTSTRAP_DONE', `ACL bootstrap no longer allowed (reset index: ${done})`);
  }
  const stored = setAclToken(ctx, token, 'create');
  const prev = ctx.data.aclBootstrapIndex;
  ctx.record(() => {
    ctx.data.aclBootstrapIndex = prev;
  });
  ctx.data.aclBootstrapIndex = ctx.index;
  return stored;
}

/** Stores the built-ins that are missing; answers how many were stored. */
export function initAcl(ctx: ApplyContext, policies: readonly AclPolicy[], tokens: readonly AclToken[]): number {
  let n = 0;
  for (const p of Array.isArray(policies) ? policies : []) {
    if (ctx.data.aclPolicies.has(p.ID)) continue;
    // A user policy already holding the built-in's name keeps it; the built-in is stored under its ID alone.
    if (findByName(ctx.data.aclPolicies, p.Name)) continue;
    setAclPolicy(ctx, p, 'create');
    n++;
  }
  for (const t of Array.isArray(tokens) ? tokens : []) {
    if (ctx.data.aclTokens.has(t.AccessorID) || ctx.data.aclSecrets.has(t.SecretID)) continue;
    setAclToken(ctx, t, 'create');
    n++;
  }
  return n;
}

/** Names the links of a token or role for a read, leaving out links to deleted entries. */
export function namedLinks(links: readonly AclLink[], table: Map<string, { Name: string }>): AclLink[] {
  const out: AclLink[] = [];
  for (const l of links) {
    const e = table.get(l.ID);
    if (e) out.push({ ID: l.ID, Name: e.Name });
  }
  return out;
}

export function aclPolicyByName(data: StateData, name: string): AclPolicy | undefined {
  return findByName(data.aclPolicies, name);
}

export function aclRoleByName(data: StateData, name: string): AclRole | undefined {
  return findByName(data.aclRoles, name);
}
