/**
 * The ACL tables: tokens (by accessor, with a secret index), policies, roles and the bootstrap
 * marker, with Consul's integrity rules (unique names and secrets, links to existing policies and
 * roles, built-ins that cannot be deleted). Links are stored by ID and named on read; links to
 * deleted policies or roles are left out of what a read answers, as Consul does.
 */
import type { ApplyContext, StateData } from './data.js';
import { StateError } from './errors.js';
import type { AclLink, AclNodeIdentity, AclPolicy, AclReplicateCommand, AclRole, AclServiceIdentity, AclToken } from './types.js';

export const GLOBAL_MANAGEMENT_POLICY_ID = '00000000-0000-0000-0000-000000000001';
export const ANONYMOUS_TOKEN_ID = '00000000-0000-0000-0000-000000000002';
export const ANONYMOUS_TOKEN_SECRET = 'anonymous';

const invalid = (msg: string) => new StateError('STATE_INVALID_REQUEST', msg);

function checkLinks(data: StateData, links: readonly AclLink[], kind: 'policy' | 'role', allowMissing = false): AclLink[] {
  if (!Array.isArray(links)) throw invalid(`${kind === 'policy' ? 'Policies' : 'Roles'} must be a list`);
  const table = kind === 'policy' ? data.aclPolicies : data.aclRoles;
  const seen = new Set<string>();
  const out: AclLink[] = [];
  for (const l of links) {
    if (typeof l?.ID !== 'string' || l.ID === '') throw invalid(`${kind === 'policy' ? 'Policies' : 'Roles'} links need an ID`);
    if (!allowMissing && !table.has(l.ID)) throw invalid(`No such ACL ${kind} with ID ${JSON.stringify(l.ID)}`);
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

/**
 * Stores a token. `op: 'replicate'` stores it as the primary datacenter has it: created or
 * replaced, its Local flag, expiry and creation time taken from it, links to missing entries kept.
 */
export function setAclToken(ctx: ApplyContext, token: AclToken, op: 'create' | 'update' | 'replicate'): AclToken {
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
  const replicated = op === 'replicate';
  const kept = replicated ? undefined : prev;
  const stored: AclToken = {
    AccessorID: token.AccessorID,
    SecretID: token.SecretID,
    Description: String(token.Description ?? ''),
    Policies: checkLinks(d, token.Policies ?? [], 'policy', replicated),
    Roles: checkLinks(d, token.Roles ?? [], 'role', replicated),
    ...identities(token),
    Local: kept ? kept.Local : Boolean(token.Local),
    ...((kept?.ExpirationTime ?? token.ExpirationTime) ? { ExpirationTime: kept?.ExpirationTime ?? token.ExpirationTime } : {}),
    CreateTime: kept?.CreateTime ?? String(token.CreateTime ?? ''),
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

export function setAclPolicy(ctx: ApplyContext, policy: AclPolicy, op: 'create' | 'update' | 'replicate'): AclPolicy {
  const d = ctx.data;
  if (typeof policy?.ID !== 'string' || policy.ID === '') throw invalid('Policy ID is required');
  if (typeof policy.Name !== 'string' || policy.Name === '') throw invalid('Invalid Policy: no Name is set');
  const prev = d.aclPolicies.get(policy.ID);
  if (op === 'create' && prev) throw invalid('Invalid Policy: ID is already in use');
  if (op === 'update' && !prev) throw invalid(`Cannot find policy ${JSON.stringify(policy.ID)}`);
  const sameName = findByName(d.aclPolicies, policy.Name);
  if (sameName && sameName.ID !== policy.ID) throw invalid(`Invalid Policy: A Policy with Name ${JSON.stringify(policy.Name)} already exists`);
  if (prev && policy.ID === GLOBAL_MANAGEMENT_POLICY_ID && op !== 'replicate') {
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

export function setAclRole(ctx: ApplyContext, role: AclRole, op: 'create' | 'update' | 'replicate'): AclRole {
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
    Policies: checkLinks(d, role.Policies ?? [], 'policy', op === 'replicate'),
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

/** How a replication batch stores and deletes each table's entries. */
const REPLICATED_TABLES: Record<AclReplicateCommand['table'], { remove(ctx: ApplyContext, id: string): boolean; store(ctx: ApplyContext, entry: unknown): void }> = {
  policies: {
    remove: (ctx, id) => id !== GLOBAL_MANAGEMENT_POLICY_ID && deleteAclPolicy(ctx, id),
    store: (ctx, entry) => setAclPolicy(ctx, entry as AclPolicy, 'replicate'),
  },
  roles: {
    remove: (ctx, id) => deleteAclRole(ctx, id),
    store: (ctx, entry) => setAclRole(ctx, entry as AclRole, 'replicate'),
  },
  tokens: {
    remove: (ctx, id) => id !== ANONYMOUS_TOKEN_ID && deleteAclToken(ctx, id),
    store: (ctx, entry) => setAclToken(ctx, entry as AclToken, 'replicate'),
  },
};

/** At most this many entries in one replication batch (the replicator keeps batches far smaller). */
export const MAX_REPLICATE_BATCH = 4096;

/**
 * Applies one replication batch: deletes first (a missing entry is no error), then upserts.
 * Answers how many entries changed. Built-ins are replaced like any entry (the primary's copy
 * wins); the anonymous token and the global-management policy are never deleted.
 */
export function replicateAcl(ctx: ApplyContext, command: AclReplicateCommand): number {
  const deletes = Array.isArray(command.deletes) ? command.deletes : [];
  const upserts: unknown[] = Array.isArray(command.upserts) ? command.upserts : [];
  if (deletes.length + upserts.length > MAX_REPLICATE_BATCH) throw invalid(`an ACL replication batch holds at most ${MAX_REPLICATE_BATCH} entries`);
  const table = Object.hasOwn(REPLICATED_TABLES, command.table) ? REPLICATED_TABLES[command.table] : undefined;
  if (!table) throw invalid(`unknown ACL replication table ${JSON.stringify(command.table)}`);
  let n = 0;
  for (const id of deletes) if (table.remove(ctx, String(id))) n++;
  for (const entry of upserts) {
    table.store(ctx, entry);
    n++;
  }
  return n;
}
