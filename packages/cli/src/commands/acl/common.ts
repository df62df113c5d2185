/** What the `acl` commands share: the request helper, flag sets, and Consul's output formats. */
import { readFileSync } from 'node:fs';
import { FlagError } from '@concord/goflags';
import type { FlagReader } from '../../flags.js';
import { CLIENT_FLAGS, type HttpSettings } from '../../http-flags.js';
import type { Io } from '../../io.js';
import { rawRequest } from '../../raw-request.js';

export interface Link {
  ID: string;
  Name: string;
}
export interface ServiceIdentity {
  ServiceName: string;
  Datacenters?: string[];
}
export interface NodeIdentity {
  NodeName: string;
  Datacenter: string;
}
export interface Identities {
  ServiceIdentities?: ServiceIdentity[];
  NodeIdentities?: NodeIdentity[];
}
export interface Token extends Identities {
  AccessorID: string;
  SecretID: string;
  Description: string;
  Policies?: Link[];
  Roles?: Link[];
  Local: boolean;
  ExpirationTime?: string;
  CreateTime: string;
}
export interface Policy {
  ID: string;
  Name: string;
  Description: string;
  Rules?: string;
  Datacenters?: string[];
}
export interface Role extends Identities {
  ID: string;
  Name: string;
  Description: string;
  Policies?: Link[];
}

export const FORMAT_FLAGS = { format: { kind: 'string' } } as const;
export const ACL_FLAGS = { ...CLIENT_FLAGS, ...FORMAT_FLAGS } as const;

export const FORMAT_HELP = `
  -format=<string>
     Output format. Must be one of (pretty|json). Defaults to pretty.`;

/** Sends a request to the ACL API and parses its JSON answer. */
export async function aclCall<T>(http: HttpSettings, method: 'GET' | 'PUT' | 'DELETE', path: string, body?: unknown, params?: Record<string, string>): Promise<T> {
  const r = await rawRequest(http, {
    method,
    path,
    ...(params ? { params } : {}),
    ...(body === undefined ? {} : { body: JSON.stringify(body), contentType: 'application/json' }),
  });
  const text = r.body.toString('utf8');
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

/** `-format`: pretty (default) or json; anything else is a flag error. */
export function formatOf(flags: FlagReader): 'pretty' | 'json' {
  const f = flags.string('format', 'pretty');
  if (f !== 'pretty' && f !== 'json') throw new FlagError(`Invalid format: ${f}`);
  return f;
}

/** Go's time.Time String form: `2006-01-02 15:04:05.999999999 +0000 UTC`. */
export function goTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const frac = d.getUTCMilliseconds() ? `.${String(d.getUTCMilliseconds()).padStart(3, '0').replace(/0+$/, '')}` : '';
  return `${d.toISOString().slice(0, 19).replace('T', ' ')}${frac} +0000 UTC`;
}

function pad(label: string, width: number): string {
  return `${label}:`.padEnd(width + 2);
}

export function printToken(io: Io, t: Token): void {
  const w = 16;
  io.out(`${pad('AccessorID', w)}${t.AccessorID}`);
  io.out(`${pad('SecretID', w)}${t.SecretID}`);
  io.out(`${pad('Description', w)}${t.Description}`);
  io.out(`${pad('Local', w)}${t.Local}`);
  io.out(`${pad('Create Time', w)}${goTime(t.CreateTime)}`);
  if (t.ExpirationTime) io.out(`${pad('Expiration Time', w)}${goTime(t.ExpirationTime)}`);
  if ((t.Policies ?? []).length > 0) {
    io.out('Policies:');
    for (const p of t.Policies ?? []) io.out(`   ${p.ID} - ${p.Name}`);
  }
  if ((t.Roles ?? []).length > 0) {
    io.out('Roles:');
    for (const r of t.Roles ?? []) io.out(`   ${r.ID} - ${r.Name}`);
  }
  printIdentities(io, t, '');
}

function printIdentities(io: Io, v: Identities, ind: string): void {
  if ((v.ServiceIdentities ?? []).length > 0) {
    io.out(`${ind}Service Identities:`);
    for (const s of v.ServiceIdentities ?? []) {
      io.out(`${ind}   ${s.ServiceName} (Datacenters: ${(s.Datacenters ?? []).length > 0 ? (s.Datacenters ?? []).join(', ') : 'all'})`);
    }
  }
  if ((v.NodeIdentities ?? []).length > 0) {
    io.out(`${ind}Node Identities:`);
    for (const n of v.NodeIdentities ?? []) io.out(`${ind}   ${n.NodeName} (Datacenter: ${n.Datacenter})`);
  }
}

/** The flags that attach identities to a token or role. */
export const IDENTITY_FLAGS = { 'service-identity': { kind: 'list' }, 'node-identity': { kind: 'list' } } as const;
export const IDENTITY_HELP = `

  -service-identity=<value>
     A service identity, as NAME or NAME:DC1,DC2 (only in those datacenters); may be given several times.

  -node-identity=<value>
     A node identity, as NODENAME:DATACENTER; may be given several times.`;

/**
 * The identities an update sends: for each kind, the current ones plus the given ones when merging,
 * the given ones when some were given, else the current ones unchanged.
 */
export function updatedIdentities(
  current: Identities,
  given: Required<Identities>,
  how: { service: boolean; node: boolean; serviceGiven: boolean; nodeGiven: boolean },
): Identities {
  const pick = <T>(have: T[] | undefined, add: T[], merge: boolean, isGiven: boolean): T[] => (merge ? [...(have ?? []), ...add] : isGiven ? add : (have ?? []));
  return {
    ServiceIdentities: pick(current.ServiceIdentities, given.ServiceIdentities, how.service, how.serviceGiven),
    NodeIdentities: pick(current.NodeIdentities, given.NodeIdentities, how.node, how.nodeGiven),
  };
}

/** `-service-identity` and `-node-identity` (or the `-append-` forms) as Consul's commands read them. */
export function identityFlags(flags: FlagReader, prefix: '' | 'append-' = ''): Required<Identities> {
  const ServiceIdentities = flags.list(`${prefix}service-identity`).map((raw): ServiceIdentity => {
    const parts = raw.split(':');
    if (parts.length === 1) return { ServiceName: raw };
    if (parts.length === 2) return { ServiceName: parts[0] as string, Datacenters: (parts[1] as string).split(',') };
    throw new FlagError(`Malformed -${prefix}service-identity argument: ${JSON.stringify(raw)}`);
  });
  const NodeIdentities = flags.list(`${prefix}node-identity`).map((raw): NodeIdentity => {
    const parts = raw.split(':');
    if (parts.length !== 2) throw new FlagError(`Malformed -${prefix}node-identity argument: ${JSON.stringify(raw)}`);
    return { NodeName: parts[0] as string, Datacenter: parts[1] as string };
  });
  return { ServiceIdentities, NodeIdentities };
}

export function printPolicy(io: Io, p: Policy, list = false): void {
  const w = 12;
  if (list) io.out(`${p.Name}:`);
  const ind = list ? '   ' : '';
  io.out(`${ind}${pad('ID', w)}${p.ID}`);
  if (!list) io.out(`${pad('Name', w)}${p.Name}`);
  io.out(`${ind}${pad('Description', w)}${p.Description}`);
  io.out(`${ind}${pad('Datacenters', w)}${(p.Datacenters ?? []).join(', ')}`);
  if (!list) {
    io.out('Rules:');
    io.out(p.Rules ?? '');
  }
}

export function printRole(io: Io, r: Role, list = false): void {
  const w = 12;
  if (list) io.out(`${r.Name}:`);
  const ind = list ? '   ' : '';
  io.out(`${ind}${pad('ID', w)}${r.ID}`);
  if (!list) io.out(`${pad('Name', w)}${r.Name}`);
  io.out(`${ind}${pad('Description', w)}${r.Description}`);
  if ((r.Policies ?? []).length > 0) {
    io.out(`${ind}Policies:`);
    for (const p of r.Policies ?? []) io.out(`${ind}   ${p.ID} - ${p.Name}`);
  }
  printIdentities(io, r, ind);
}

/** Prints one item as pretty text or indented JSON. */
export function show<T>(io: Io, format: 'pretty' | 'json', value: T, pretty: (io: Io, v: T) => void): void {
  if (format === 'json') io.out(JSON.stringify(value, null, 4));
  else pretty(io, value);
}

/** Prints a list: JSON, or each item's pretty form separated by blank lines. */
export function showList<T>(io: Io, format: 'pretty' | 'json', values: T[], pretty: (io: Io, v: T, list: boolean) => void): void {
  if (format === 'json') {
    io.out(JSON.stringify(values, null, 4));
    return;
  }
  values.forEach((v, i) => {
    if (i > 0) io.out('');
    pretty(io, v, true);
  });
}

/** `-rules` as Consul reads it: `@file` reads a file, `-` reads stdin, else the text itself. */
export async function rulesArg(raw: string, io: Io): Promise<string> {
  if (raw === '-') return (await io.readStdin()).toString('utf8');
  if (raw.startsWith('@')) {
    try {
      return readFileSync(raw.slice(1), 'utf8');
    } catch (err) {
      throw new FlagError(`Failed to read file: ${(err as Error).message}`);
    }
  }
  return raw;
}

/** Policy and role links from `-policy-id`/`-policy-name` (and the role and `-append-` forms). */
export function links(flags: FlagReader, kind: 'policy' | 'role', prefix: '' | 'append-' = ''): { ID?: string; Name?: string }[] {
  return [...flags.list(`${prefix}${kind}-id`).map((ID) => ({ ID })), ...flags.list(`${prefix}${kind}-name`).map((Name) => ({ Name }))];
}

const ANONYMOUS_ACCESSOR = '00000000-0000-0000-0000-000000000002';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LISTS = { policy: ['/v1/acl/policies', 'ID'], role: ['/v1/acl/roles', 'ID'], token: ['/v1/acl/tokens', 'AccessorID'] } as const;

/**
 * An ID as given, or, as Consul's commands take them, the one ID the given prefix starts
 * (`Error determining token ID: No such token ID with prefix: 4d2`).
 */
export async function fullId(http: HttpSettings, kind: 'policy' | 'role' | 'token', id: string): Promise<string> {
  if (UUID.test(id)) return id;
  // As Consul's commands: `anonymous` names the anonymous token's accessor.
  if (kind === 'token' && id === 'anonymous') return ANONYMOUS_ACCESSOR;
  const [path, field] = LISTS[kind];
  const all = await aclCall<Record<string, string>[]>(http, 'GET', path);
  const found = all.map((x) => x[field] as string).filter((x) => x.startsWith(id));
  if (found.length === 1) return found[0] as string;
  throw new FlagError(`Error determining ${kind} ID: ${found.length === 0 ? `No such ${kind} ID with prefix: ${id}` : `Multiple ${kind} IDs found with prefix: ${id}`}`);
}

/** The ID named by `-id` (or a unique prefix of it), or looked up from `-name` (`/v1/acl/<kind>/name/<name>`). */
export async function idOf(http: HttpSettings, flags: FlagReader, kind: 'policy' | 'role'): Promise<string> {
  const id = flags.string('id');
  if (id) return fullId(http, kind, id);
  const name = flags.string('name');
  if (!name) throw new FlagError('Must specify the -id or -name parameter');
  return (await aclCall<{ ID: string }>(http, 'GET', `/v1/acl/${kind}/name/${encodeURIComponent(name)}`)).ID;
}
