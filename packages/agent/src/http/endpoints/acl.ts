/**
 * Consul's ACL HTTP API on servers: `/v1/acl/bootstrap`, `/v1/acl/policy`, `/v1/acl/policies`,
 * `/v1/acl/token` (self, clone), `/v1/acl/tokens`, `/v1/acl/role`, `/v1/acl/roles`,
 * `/v1/acl/replication`. Writes of global entries made in a secondary datacenter are applied by
 * the primary (the typed ACL.Apply routes them there). Reads need
 * `acl = "read"`, writes `acl = "write"`; `token/self` needs only the token itself. Secrets are
 * shown only to holders of `acl = "write"` (else `<hidden>`), as Consul does.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { AclLink, AclPolicy, AclRole, AclToken, Command } from '@concord/state';
import { GLOBAL_MANAGEMENT_POLICY_ID } from '@concord/state';
import type { AgentContext } from '../../agent-context.js';
import type { AclQuery, AclQueryValue } from '../../acl/acl-query.js';
import type { Authorizer } from '../../acl/authorizer.js';
import { decodeIdentities, identitiesForHash } from '../../acl/identities.js';
import { aclNotFound, permissionDeniedBy } from '../../acl/resolver.js';
import { requestToken } from '../../acl/request-token.js';
import { RulesError, parseRules } from '../../acl/rules.js';
import { type Body, field, optBool, optDuration, optString, optStringList, rejectUnknown } from '../../decode/body.js';
import { call, callOptionsOf, json } from '../endpoint-kit.js';
import { HttpError, badRequest } from '../http-error.js';
import { type RequestContext, readJsonObject } from '../request.js';
import type { Route } from '../router.js';

export const ACL_BOOTSTRAP_RESET_FILE = 'acl-bootstrap-reset';
const HIDDEN = '<hidden>';
const MAX_NAME = 128;
const MAX_DESCRIPTION = 4096;
const MAX_LINKS = 256;

function hashOf(...parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64');
}

function param(ctx: RequestContext, name: string): string {
  const raw = ctx.params[name] ?? '';
  try {
    return decodeURIComponent(raw);
  } catch {
    throw badRequest(`Invalid ${name}`);
  }
}

async function authz(ctx: RequestContext, agent: AgentContext): Promise<Authorizer> {
  if (!agent.acl.enabled) throw new HttpError(401, 'ACL support disabled');
  return agent.acl.resolveToken(requestToken(ctx.req, ctx.query));
}

async function requireRead(ctx: RequestContext, agent: AgentContext): Promise<Authorizer> {
  const a = await authz(ctx, agent);
  a.clearDenial();
  if (!a.aclRead()) throw permissionDeniedBy(a);
  return a;
}

async function requireWrite(ctx: RequestContext, agent: AgentContext): Promise<Authorizer> {
  const a = await authz(ctx, agent);
  a.clearDenial();
  if (!a.aclWrite()) throw permissionDeniedBy(a);
  return a;
}

function name(v: string | undefined, what: string): string {
  if (!v) throw badRequest(`${what} name is missing`);
  if (v.length > MAX_NAME || !/^[A-Za-z0-9\-_]+$/.test(v)) throw badRequest(`Invalid ${what} name ${JSON.stringify(v)}`);
  return v;
}

function description(body: Body): string {
  const d = optString(body, 'Description') ?? '';
  if (d.length > MAX_DESCRIPTION) throw badRequest(`Description is longer than ${MAX_DESCRIPTION} characters`);
  return d;
}

/**
 * The primary datacenter when this agent is in another one and the request names none: what the
 * primary applies (roles, global tokens) has its links named and its current state read there, so
 * that what was just made through this datacenter is found before it replicated back.
 */
function primaryElsewhere(ctx: RequestContext, agent: AgentContext): string | undefined {
  const primary = agent.config.acl.primaryDatacenter;
  return ctx.query.get('dc') || primary === agent.config.datacenter ? undefined : primary;
}

/** Links given by ID or by Name, resolved to IDs (`No such ACL policy with name "x"`), in `datacenter` when given. */
async function links(ctx: RequestContext, agent: AgentContext, body: Body, key: 'Policies' | 'Roles', datacenter?: string): Promise<AclLink[]> {
  const v = field(body, key);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.length > MAX_LINKS) throw badRequest(`Request decode failed: ${key} must be a list of at most ${MAX_LINKS} links`);
  const kind = key === 'Policies' ? 'policy' : 'role';
  const out: AclLink[] = [];
  for (const l of v) {
    if (typeof l !== 'object' || l === null) throw badRequest(`Request decode failed: ${key} entries must be objects`);
    const id = optString(l as Body, 'ID');
    const n = optString(l as Body, 'Name');
    if (id) {
      out.push({ ID: id, Name: '' });
      continue;
    }
    if (!n) throw badRequest(`${key} entries need an ID or a Name`);
    const found = (await lookup(ctx, agent, { kind: kind === 'policy' ? 'policy-name' : 'role-name', name: n }, datacenter)) as AclPolicy | AclRole | undefined;
    if (!found) throw badRequest(`No such ACL ${kind} with name ${JSON.stringify(n)}`);
    out.push({ ID: found.ID, Name: found.Name });
  }
  return out;
}

/** One read through `ACL.Read` for the handler's own use (no blocking, no headers), in `datacenter` when given. */
async function lookup(ctx: RequestContext, agent: AgentContext, q: AclQuery, datacenter?: string): Promise<AclQueryValue> {
  return (await agent.rpc.call('ACL.Read', q, { ...callOptionsOf(ctx, agent), minQueryIndex: 0, ...(datacenter ? { datacenter } : {}) })).value;
}

/** A token by accessor: this datacenter's copy, else the primary's (a global token not replicated here yet). */
async function tokenById(ctx: RequestContext, agent: AgentContext, id: string): Promise<AclToken | undefined> {
  const here = (await lookup(ctx, agent, { kind: 'token', id })) as AclToken | undefined;
  const primary = primaryElsewhere(ctx, agent);
  return here ?? (primary ? ((await lookup(ctx, agent, { kind: 'token', id }, primary)) as AclToken | undefined) : undefined);
}

/** An ACL write: `ACL.Apply` on the leader, which checks the token again before applying. */
async function write<T>(ctx: RequestContext, agent: AgentContext, command: Command): Promise<T> {
  const options = { ...callOptionsOf(ctx, agent), consistency: 'leader' as const, minQueryIndex: 0 };
  return (await agent.rpc.call('ACL.Apply', { command }, options)).value as T;
}

/** A read of the ACL tables through `ACL.Read`, blocking with `?index=` like every read, with the X-Consul-* headers. */
async function read<T extends AclQueryValue>(ctx: RequestContext, agent: AgentContext, q: AclQuery): Promise<T> {
  // A read by secret needs no other token (Consul's token/self): it is not resolved on the way.
  return (await call(ctx, agent, 'ACL.Read', q, q.kind === 'token-secret' ? { token: '' } : {})).value as T;
}

/** A read of one entry; a missing one is Consul's 404 `Requested <kind> does not exist: ACL not found`. */
async function answer<T extends AclToken | AclPolicy | AclRole>(ctx: RequestContext, agent: AgentContext, kind: string, q: AclQuery): Promise<T> {
  const value = await read<T | undefined>(ctx, agent, q);
  if (value === undefined || value === null) throw new HttpError(404, kind === 'self' ? 'Supplied token does not exist' : `Requested ${kind} does not exist: ACL not found`);
  return value;
}

/** A delete that found nothing is Consul's 404 `Cannot find <kind> to delete`. */
async function remove(ctx: RequestContext, agent: AgentContext, kind: string, command: Command): Promise<true> {
  if (!(await write<boolean>(ctx, agent, command))) throw new HttpError(404, `Cannot find ${kind} to delete`);
  return true;
}

/** A token as Consul renders it: empty link lists left out, the secret hidden without acl write. */
function shownToken(t: AclToken, a: Authorizer | 'owner'): Partial<AclToken> {
  const { Policies, Roles, ...rest } = t;
  return {
    ...rest,
    ...(Policies.length > 0 ? { Policies } : {}),
    ...(Roles.length > 0 ? { Roles } : {}),
    ...(a === 'owner' || a.aclWrite() ? {} : { SecretID: HIDDEN }),
  };
}

/** A role as Consul renders it: an empty policy list left out. */
function shownRole(r: AclRole): Partial<AclRole> {
  const { Policies, ...rest } = r;
  return Policies.length > 0 ? r : rest;
}

/** A policy as Consul renders it: `Datacenters` left out when empty. */
function shownPolicy(p: AclPolicy): Partial<AclPolicy> {
  const { Datacenters, ...rest } = p;
  return Datacenters.length > 0 ? p : rest;
}

/** Consul's policy list stub: no rules, and `Datacenters` null when empty (no omitempty there). */
function policyStub(p: AclPolicy): Record<string, unknown> {
  const { Rules: _rules, Datacenters, ...rest } = p;
  return { ...rest, Datacenters: Datacenters.length > 0 ? Datacenters : null };
}

// ---------------------------------------------------------------------------------------------

async function policyBody(ctx: RequestContext): Promise<{ body: Body; rules: string }> {
  const body = await readJsonObject(ctx);
  rejectUnknown(body, ['ID', 'Name', 'Description', 'Rules', 'Datacenters', 'Hash', 'CreateIndex', 'ModifyIndex', 'Namespace', 'Partition'], 'policy');
  const rules = optString(body, 'Rules') ?? '';
  try {
    await parseRules(rules);
  } catch (err) {
    if (err instanceof RulesError) throw badRequest(`Invalid Policy: ${err.message}`);
    throw err;
  }
  return { body, rules };
}

async function setPolicy(ctx: RequestContext, agent: AgentContext, id: string | undefined): Promise<void> {
  await requireWrite(ctx, agent);
  const { body, rules } = await policyBody(ctx);
  const bodyId = optString(body, 'ID');
  if (!id && bodyId) throw badRequest('Cannot specify the ID when creating a new policy');
  if (id && bodyId && bodyId !== id) throw badRequest('Policy ID in URL and payload do not match');
  const policyName = name(optString(body, 'Name'), 'Policy');
  const datacenters = optStringList(body, 'Datacenters') ?? [];
  const policy: AclPolicy = {
    ID: id ?? randomUUID(),
    Name: policyName,
    Description: description(body),
    Rules: rules,
    Datacenters: datacenters,
    Hash: hashOf(policyName, rules, datacenters),
    CreateIndex: 0,
    ModifyIndex: 0,
  };
  json(ctx, shownPolicy(await write<AclPolicy>(ctx, agent, { type: 'acl-policy-set', op: id ? 'update' : 'create', policy })));
}

function policyRoutes(agent: AgentContext): Route[] {
  return [
    { path: '/v1/acl/policy', methods: ['PUT'], handler: (ctx) => setPolicy(ctx, agent, undefined) },
    {
      path: '/v1/acl/policy/name/:name',
      methods: ['GET'],
      handler: async (ctx) => {
        await requireRead(ctx, agent);
        const n = param(ctx, 'name');
        json(ctx, shownPolicy(await answer<AclPolicy>(ctx, agent, 'policy', { kind: 'policy-name', name: n })));
      },
    },
    {
      path: '/v1/acl/policy/:id',
      methods: ['GET', 'PUT', 'DELETE'],
      handler: async (ctx) => {
        const id = param(ctx, 'id');
        if (ctx.req.method === 'PUT') return setPolicy(ctx, agent, id);
        if (ctx.req.method === 'DELETE') {
          await requireWrite(ctx, agent);
          json(ctx, await remove(ctx, agent, 'policy', { type: 'acl-policy-delete', id }));
          return;
        }
        await requireRead(ctx, agent);
        json(ctx, shownPolicy(await answer<AclPolicy>(ctx, agent, 'policy', { kind: 'policy', id })));
      },
    },
    {
      path: '/v1/acl/policies',
      methods: ['GET'],
      handler: async (ctx) => {
        await requireRead(ctx, agent);
        json(ctx, (await read<AclPolicy[]>(ctx, agent, { kind: 'policies' })).map(policyStub));
      },
    },
  ];
}

// ---------------------------------------------------------------------------------------------

const TOKEN_FIELDS = [
  'AccessorID',
  'SecretID',
  'Description',
  'Policies',
  'Roles',
  'Local',
  'ExpirationTime',
  'ExpirationTTL',
  'ServiceIdentities',
  'NodeIdentities',
  'CreateTime',
  'Hash',
  'CreateIndex',
  'ModifyIndex',
  'Legacy',
  'Namespace',
  'Partition',
];

function uuidField(body: Body, key: string): string | undefined {
  const v = optString(body, key);
  if (!v) return undefined;
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v)) throw badRequest(`Invalid ${key}: must be a UUID`);
  return v;
}

function expiration(body: Body, now: number): string | undefined {
  const ttl = optDuration(body, 'ExpirationTTL');
  const at = optString(body, 'ExpirationTime');
  if (ttl !== undefined && at) throw badRequest('Token Expiration TTL and Expiration Time cannot both be set');
  if (ttl !== undefined && ttl > 0) {
    if (ttl < 60_000 || ttl > 24 * 3600_000) throw badRequest('Token Expiration TTL must be between 1m0s and 24h0m0s');
    return new Date(now + ttl).toISOString();
  }
  if (at) {
    const t = Date.parse(at);
    if (Number.isNaN(t)) throw badRequest('Invalid ExpirationTime');
    if (t <= now) throw badRequest('ExpirationTime cannot be in the past');
    return new Date(t).toISOString();
  }
  return undefined;
}

function tokenHash(t: Pick<AclToken, 'Description' | 'Policies' | 'Roles' | 'Local' | 'ServiceIdentities' | 'NodeIdentities'>): string {
  return hashOf(
    t.Description,
    t.Policies.map((l) => l.ID),
    t.Roles.map((l) => l.ID),
    t.Local,
    ...identitiesForHash(t),
  );
}

async function setToken(ctx: RequestContext, agent: AgentContext, accessor: string | undefined): Promise<void> {
  const a = await requireWrite(ctx, agent);
  const body = await readJsonObject(ctx);
  rejectUnknown(body, TOKEN_FIELDS, 'token');
  const now = Date.now();
  const bodyAccessor = uuidField(body, 'AccessorID');
  let prev: AclToken | undefined;
  if (accessor) {
    if (bodyAccessor && bodyAccessor !== accessor) throw badRequest('Token Accessor ID in URL and payload do not match');
    prev = await tokenById(ctx, agent, accessor);
    if (!prev) throw badRequest(`Cannot find token ${JSON.stringify(accessor)}`);
  }
  const secret = uuidField(body, 'SecretID');
  if (prev && secret && secret !== prev.SecretID) throw badRequest('Changing a tokens SecretID is not permitted');
  const local = prev ? prev.Local : (optBool(body, 'Local') ?? false);
  const namesIn = local ? undefined : primaryElsewhere(ctx, agent);
  const base = {
    Description: description(body),
    Policies: await links(ctx, agent, body, 'Policies', namesIn),
    Roles: await links(ctx, agent, body, 'Roles', namesIn),
    ...decodeIdentities(body, 'token', local),
    Local: local,
  };
  const exp = prev ? prev.ExpirationTime : expiration(body, now);
  const token: AclToken = {
    AccessorID: prev?.AccessorID ?? bodyAccessor ?? randomUUID(),
    SecretID: prev?.SecretID ?? secret ?? randomUUID(),
    ...base,
    ...(exp ? { ExpirationTime: exp } : {}),
    CreateTime: prev?.CreateTime ?? new Date(now).toISOString(),
    Hash: tokenHash(base),
    CreateIndex: 0,
    ModifyIndex: 0,
  };
  json(ctx, shownToken(await write<AclToken>(ctx, agent, { type: 'acl-token-set', op: prev ? 'update' : 'create', token }), a));
}

function tokenRoutes(agent: AgentContext): Route[] {
  return [
    { path: '/v1/acl/token', methods: ['PUT'], handler: (ctx) => setToken(ctx, agent, undefined) },
    {
      path: '/v1/acl/token/self',
      methods: ['GET'],
      handler: async (ctx) => {
        if (!agent.acl.enabled) throw new HttpError(401, 'ACL support disabled');
        const s = agent.acl.effectiveSecret(requestToken(ctx.req, ctx.query));
        json(ctx, shownToken(await answer<AclToken>(ctx, agent, 'self', { kind: 'token-secret', secret: s }), 'owner'));
      },
    },
    {
      path: '/v1/acl/token/:id/clone',
      methods: ['PUT'],
      handler: async (ctx) => {
        const a = await requireWrite(ctx, agent);
        const id = param(ctx, 'id');
        const body = await readJsonObject(ctx);
        rejectUnknown(body, ['Description'], 'token clone');
        const src = await tokenById(ctx, agent, id);
        if (!src) throw aclNotFound();
        const base = {
          Description: optString(body, 'Description') ?? src.Description,
          Policies: src.Policies,
          Roles: src.Roles,
          ...(src.ServiceIdentities ? { ServiceIdentities: src.ServiceIdentities } : {}),
          ...(src.NodeIdentities ? { NodeIdentities: src.NodeIdentities } : {}),
          Local: src.Local,
        };
        const token: AclToken = {
          ...base,
          AccessorID: randomUUID(),
          SecretID: randomUUID(),
          ...(src.ExpirationTime ? { ExpirationTime: src.ExpirationTime } : {}),
          CreateTime: new Date().toISOString(),
          Hash: tokenHash(base),
          CreateIndex: 0,
          ModifyIndex: 0,
        };
        json(ctx, shownToken(await write<AclToken>(ctx, agent, { type: 'acl-token-set', op: 'create', token }), a));
      },
    },
    {
      path: '/v1/acl/token/:id',
      methods: ['GET', 'PUT', 'DELETE'],
      handler: async (ctx) => {
        const id = param(ctx, 'id');
        if (ctx.req.method === 'PUT') return setToken(ctx, agent, id);
        if (ctx.req.method === 'DELETE') {
          await requireWrite(ctx, agent);
          const own = (await lookup(ctx, agent, { kind: 'token-secret', secret: agent.acl.effectiveSecret(requestToken(ctx.req, ctx.query)) })) as AclToken | undefined;
          if (own?.AccessorID === id) throw badRequest("Deletion of the request's authorization token is not permitted");
          json(ctx, await remove(ctx, agent, 'token', { type: 'acl-token-delete', accessorId: id }));
          return;
        }
        const a = await requireRead(ctx, agent);
        json(ctx, shownToken(await answer<AclToken>(ctx, agent, 'token', { kind: 'token', id }), a));
      },
    },
    {
      path: '/v1/acl/tokens',
      methods: ['GET'],
      handler: async (ctx) => {
        const a = await requireRead(ctx, agent);
        const policy = ctx.query.get('policy') || undefined;
        const role = ctx.query.get('role') || undefined;
        const serviceName = ctx.query.get('servicename') || undefined;
        const q: AclQuery = { kind: 'tokens', policy: policy ?? '', role: role ?? '', ...(serviceName ? { serviceName } : {}) };
        json(
          ctx,
          (await read<AclToken[]>(ctx, agent, q)).map((t) => shownToken(t, a)),
        );
      },
    },
  ];
}

// ---------------------------------------------------------------------------------------------

async function setRole(ctx: RequestContext, agent: AgentContext, id: string | undefined): Promise<void> {
  await requireWrite(ctx, agent);
  const body = await readJsonObject(ctx);
  rejectUnknown(body, ['ID', 'Name', 'Description', 'Policies', 'ServiceIdentities', 'NodeIdentities', 'Hash', 'CreateIndex', 'ModifyIndex', 'Namespace', 'Partition'], 'role');
  const bodyId = optString(body, 'ID');
  if (!id && bodyId) throw badRequest('Cannot specify the ID when creating a new role');
  if (id && bodyId && bodyId !== id) throw badRequest('Role ID in URL and payload do not match');
  const roleName = name(optString(body, 'Name'), 'Role');
  const policies = await links(ctx, agent, body, 'Policies', primaryElsewhere(ctx, agent));
  const identities = decodeIdentities(body, 'role');
  const role: AclRole = {
    ID: id ?? randomUUID(),
    Name: roleName,
    Description: description(body),
    Policies: policies,
    ...identities,
    Hash: hashOf(
      roleName,
      policies.map((l) => l.ID),
      ...identitiesForHash(identities),
    ),
    CreateIndex: 0,
    ModifyIndex: 0,
  };
  json(ctx, shownRole(await write<AclRole>(ctx, agent, { type: 'acl-role-set', op: id ? 'update' : 'create', role })));
}

function roleRoutes(agent: AgentContext): Route[] {
  return [
    { path: '/v1/acl/role', methods: ['PUT'], handler: (ctx) => setRole(ctx, agent, undefined) },
    {
      path: '/v1/acl/role/name/:name',
      methods: ['GET'],
      handler: async (ctx) => {
        await requireRead(ctx, agent);
        const n = param(ctx, 'name');
        json(ctx, shownRole(await answer<AclRole>(ctx, agent, 'role', { kind: 'role-name', name: n })));
      },
    },
    {
      path: '/v1/acl/role/:id',
      methods: ['GET', 'PUT', 'DELETE'],
      handler: async (ctx) => {
        const id = param(ctx, 'id');
        if (ctx.req.method === 'PUT') return setRole(ctx, agent, id);
        if (ctx.req.method === 'DELETE') {
          await requireWrite(ctx, agent);
          json(ctx, await remove(ctx, agent, 'role', { type: 'acl-role-delete', id }));
          return;
        }
        await requireRead(ctx, agent);
        json(ctx, shownRole(await answer<AclRole>(ctx, agent, 'role', { kind: 'role', id })));
      },
    },
    {
      path: '/v1/acl/roles',
      methods: ['GET'],
      handler: async (ctx) => {
        await requireRead(ctx, agent);
        const policy = ctx.query.get('policy') || undefined;
        json(ctx, (await read<AclRole[]>(ctx, agent, { kind: 'roles', policy: policy ?? '' })).map(shownRole));
      },
    },
  ];
}

// ---------------------------------------------------------------------------------------------

/** The reset index an operator wrote to `<data-dir>/acl-bootstrap-reset`, if any. */
function resetIndex(dataDir: string | undefined): number | undefined {
  if (!dataDir) return undefined;
  const file = join(dataDir, ACL_BOOTSTRAP_RESET_FILE);
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, 'utf8').slice(0, 64).trim();
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

function bootstrapRoute(agent: AgentContext): Route {
  return {
    path: '/v1/acl/bootstrap',
    methods: ['PUT'],
    handler: async (ctx) => {
      if (!agent.acl.enabled) throw new HttpError(401, 'ACL support disabled');
      const body = ctx.req.headers['content-length'] && ctx.req.headers['content-length'] !== '0' ? await readJsonObject(ctx) : {};
      rejectUnknown(body, ['BootstrapSecret'], 'bootstrap');
      const secret = uuidField(body, 'BootstrapSecret');
      const base = { Description: 'Bootstrap Token (Global Management)', Policies: [{ ID: GLOBAL_MANAGEMENT_POLICY_ID, Name: '' }], Roles: [], Local: false };
      const token: AclToken = {
        ...base,
        AccessorID: randomUUID(),
        SecretID: secret ?? randomUUID(),
        CreateTime: new Date().toISOString(),
        Hash: tokenHash(base),
        CreateIndex: 0,
        ModifyIndex: 0,
      };
      const reset = resetIndex(agent.config.dev ? undefined : agent.config.dataDir);
      const out = await write<AclToken>(ctx, agent, { type: 'acl-bootstrap', token, ...(reset !== undefined ? { resetIndex: reset } : {}) });
      if (reset !== undefined && agent.config.dataDir) rmSync(join(agent.config.dataDir, ACL_BOOTSTRAP_RESET_FILE), { force: true });
      // As Consul: the legacy `ID` (the secret) before the token's fields.
      json(ctx, { ID: out.SecretID, ...shownToken(out, 'owner') });
    },
  };
}

/**
 * `/v1/acl/replication`: the replication status of the leader of this (or `?dc=`) datacenter.
 * As Consul: no token needed (it tells nothing secret), never forwarded to the primary.
 */
function replicationRoute(agent: AgentContext): Route {
  return {
    path: '/v1/acl/replication',
    methods: ['GET'],
    handler: async (ctx) => {
      if (!agent.acl.enabled) throw new HttpError(401, 'ACL support disabled');
      const options = { ...callOptionsOf(ctx, agent), token: '', consistency: 'leader' as const, minQueryIndex: 0 };
      json(ctx, (await agent.rpc.call('ACL.ReplicationStatus', {}, options)).value);
    },
  };
}

export function aclRoutes(agent: AgentContext): Route[] {
  return [bootstrapRoute(agent), replicationRoute(agent), ...policyRoutes(agent), ...tokenRoutes(agent), ...roleRoutes(agent)];
}
