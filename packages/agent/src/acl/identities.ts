/**
 * Consul's service and node identities: policy templates attached to a token or role instead of a
 * stored policy. A service identity grants write on the service and its `-sidecar-proxy`, and read
 * on every service and node (what a service needs to register and discover); a node identity grants
 * write on the node and read on every service (what a client agent needs). Decoding from an HTTP
 * body checks them as Consul's token and role writers do; resolution turns them into synthetic
 * policies that apply only in their datacenters.
 */
import type { AclNodeIdentity, AclServiceIdentity } from '@concord/state';
import { type Body, field } from '../decode/body.js';
import { invalidRequest as badRequest } from '../errors/agent-error.js';

const MAX_IDENTITIES = 256;
const MAX_NAME = 256;
const MAX_DATACENTERS = 64;
/** Consul's `IsValidServiceIdentityName` / `IsValidNodeIdentityName`. */
const IDENTITY_NAME = /^[a-z0-9]([a-z0-9\-_]*[a-z0-9])?$/;
const INVALID_NAME = "has an invalid name. Only lowercase alphanumeric characters, '-' and '_' are allowed";

export interface Identities {
  ServiceIdentities?: AclServiceIdentity[];
  NodeIdentities?: AclNodeIdentity[];
}

function list(body: Body, key: string): Body[] {
  const v = field(body, key);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.length > MAX_IDENTITIES) throw badRequest(`Request decode failed: ${key} must be a list of at most ${MAX_IDENTITIES} identities`);
  for (const e of v) if (typeof e !== 'object' || e === null || Array.isArray(e)) throw badRequest(`Request decode failed: ${key} entries must be objects`);
  return v as Body[];
}

function str(e: Body, key: string, what: string): string {
  const v = e[key];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string' || v.length > MAX_NAME) throw badRequest(`Request decode failed: ${what}.${key} must be a string of at most ${MAX_NAME} characters`);
  return v;
}

/**
 * The `ServiceIdentities` and `NodeIdentities` of a token or role body, checked with Consul's
 * messages and deduplicated (a service named twice gets the union of its datacenters).
 */
export function decodeIdentities(body: Body, owner: 'token' | 'role', local = false): Identities {
  const services = new Map<string, Set<string> | 'all'>();
  for (const e of list(body, 'ServiceIdentities')) {
    const name = str(e, 'ServiceName', 'ServiceIdentities');
    if (!name) throw badRequest(`Service identity is missing the service name field on this ${owner}`);
    const raw = e.Datacenters ?? [];
    if (!Array.isArray(raw) || raw.length > MAX_DATACENTERS || raw.some((d) => typeof d !== 'string' || d.length > MAX_NAME)) {
      throw badRequest(`Request decode failed: ServiceIdentities.Datacenters must be a list of at most ${MAX_DATACENTERS} names`);
    }
    const dcs = raw as string[];
    if (local && dcs.length > 0) throw badRequest(`Service identity ${JSON.stringify(name)} cannot specify a list of datacenters on a local token`);
    if (!IDENTITY_NAME.test(name)) throw badRequest(`Service identity ${JSON.stringify(name)} ${INVALID_NAME}`);
    const have = services.get(name);
    if (have === 'all') continue;
    if (dcs.length === 0) services.set(name, have && have.size > 0 ? have : 'all');
    else services.set(name, new Set([...(have ?? []), ...dcs]));
  }
  const nodes = new Map<string, AclNodeIdentity>();
  for (const e of list(body, 'NodeIdentities')) {
    const name = str(e, 'NodeName', 'NodeIdentities');
    const dc = str(e, 'Datacenter', 'NodeIdentities');
    if (!name) throw badRequest(`Node identity is missing the node name field on this ${owner}`);
    if (!dc) throw badRequest(`Node identity is missing the datacenter field on this ${owner}`);
    if (!IDENTITY_NAME.test(name)) throw badRequest(`Node identity ${INVALID_NAME}`);
    nodes.set(`${name}\u0000${dc}`, { NodeName: name, Datacenter: dc });
  }
  const out: Identities = {};
  if (services.size > 0) {
    out.ServiceIdentities = [...services].map(([ServiceName, dcs]) => (dcs === 'all' || dcs.size === 0 ? { ServiceName } : { ServiceName, Datacenters: [...dcs] }));
  }
  if (nodes.size > 0) out.NodeIdentities = [...nodes.values()];
  return out;
}

/** The identities of a stored token or role, in the order a hash should see them. */
export function identitiesForHash(v: Identities): unknown[] {
  return [(v.ServiceIdentities ?? []).map((i) => [i.ServiceName, i.Datacenters ?? []]), (v.NodeIdentities ?? []).map((i) => [i.NodeName, i.Datacenter])];
}

/** The rules Consul's service identity template expands to. */
export function serviceIdentityRules(name: string): string {
  return `service "${name}" {\n  policy = "write"\n}\nservice "${name}-sidecar-proxy" {\n  policy = "write"\n}\nservice_prefix "" {\n  policy = "read"\n}\nnode_prefix "" {\n  policy = "read"\n}\n`;
}

/** The rules Consul's node identity template expands to. */
export function nodeIdentityRules(name: string): string {
  return `node "${name}" {\n  policy = "write"\n}\nservice_prefix "" {\n  policy = "read"\n}\n`;
}

/** A synthetic policy as resolution carries it: its rules depend only on its ID, so its revision is 0. */
export interface SyntheticPolicy {
  ID: string;
  ModifyIndex: number;
  Rules: string;
}

/** The synthetic policies of a token's or role's identities that apply in `datacenter`. */
export function identityPolicies(v: Identities, datacenter: string): SyntheticPolicy[] {
  const out: SyntheticPolicy[] = [];
  for (const s of v.ServiceIdentities ?? []) {
    if (s.Datacenters && s.Datacenters.length > 0 && !s.Datacenters.includes(datacenter)) continue;
    out.push({ ID: `service-identity:${s.ServiceName}`, ModifyIndex: 0, Rules: serviceIdentityRules(s.ServiceName) });
  }
  for (const n of v.NodeIdentities ?? []) {
    if (n.Datacenter !== datacenter) continue;
    out.push({ ID: `node-identity:${n.NodeName}`, ModifyIndex: 0, Rules: nodeIdentityRules(n.NodeName) });
  }
  return out;
}
