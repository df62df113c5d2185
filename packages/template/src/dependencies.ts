/**
 * The data a template can depend on, one kind per consul-template function,
 * each with a key (equal keys are one shared blocking query) and a fetch that
 * runs one blocking query and shapes the answer as consul-template hands it
 * to templates.
 */
import type { ConsulApi, KVPair, QueryOptions, ServiceEntry } from '@concord/api';
import { ServiceTags } from './tags.js';

export interface Fetched {
  readonly value: unknown;
  readonly index: number;
}

export interface Dependency {
  /** Identity: two dependencies with the same key share one query. */
  readonly key: string;
  /** Whether the agent answers this with a blocking query (else it is fetched once, or every `pollMs`). */
  readonly blocking: boolean;
  /** For a non-blocking dependency: fetch it again this long after each answer. */
  readonly pollMs?: number;
  fetch(api: ConsulApi, options: QueryOptions): Promise<Fetched>;
}

export class DependencyError extends Error {
  readonly code = 'TEMPLATE_DEPENDENCY';
}

// ---- service (health) ----------------------------------------------------------

const HEALTH_STATES = new Set(['any', 'passing', 'warning', 'critical', 'maintenance']);
const SERVICE_RE = /^(?:(?<tag>[\w\-.]+)\.)?(?<name>[\w\-/]+)(?:@(?<dc>[\w.-]+))?(?:~(?<near>[\w.-]+))?$/;

export interface HealthService {
  readonly Node: string;
  readonly NodeID: string;
  readonly NodeAddress: string;
  readonly NodeDatacenter: string;
  readonly NodeTaggedAddresses: Record<string, string>;
  readonly NodeMeta: Record<string, string>;
  readonly ServiceMeta: Record<string, string>;
  readonly Address: string;
  readonly ID: string;
  readonly Name: string;
  readonly Kind: string;
  readonly Tags: ServiceTags;
  readonly Checks: unknown[];
  readonly Status: string;
  readonly Port: number;
  readonly Weights: { Passing: number; Warning: number };
}

/** consul-template's status of an instance: the worst of its checks; maintenance checks win. */
export function statusFromChecks(checks: ReadonlyArray<{ CheckID: string; Status: string }>): string {
  if (checks.some((c) => c.CheckID === '_node_maintenance' || c.CheckID.startsWith('_service_maintenance:'))) return 'maintenance';
  const has = (s: string): boolean => checks.some((c) => c.Status === s);
  if (has('critical')) return 'critical';
  if (has('warning')) return 'warning';
  return 'passing';
}

/**
 * `service "[tag.]name[@dc][~near][|filter]"` with an optional second argument
 * holding the status filter (`any`, or a comma list of passing, warning, critical, maintenance).
 */
export function serviceDependency(query: string, filterArg?: string): Dependency {
  let spec = query.trim();
  let filterText = filterArg ?? '';
  const bar = spec.indexOf('|');
  if (bar !== -1) {
    filterText = spec.slice(bar + 1);
    spec = spec.slice(0, bar).trim();
  }
  if (spec === '') throw new DependencyError('cannot specify empty health service dependency');
  const m = SERVICE_RE.exec(spec);
  if (!m?.groups) throw new DependencyError(`invalid health service dependency format: ${JSON.stringify(query)}`);
  const filters = filterText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const f of filters) if (!HEALTH_STATES.has(f)) throw new DependencyError(`service filter: invalid filter ${JSON.stringify(f)}`);
  if (filters.includes('any') && filters.length > 1) throw new DependencyError('service filter: cannot specify extra keys when using "any"');
  const { tag, name, dc, near } = m.groups;
  const passingOnly = filters.length === 0;
  return {
    key: `health.service(${spec}|${filters.join(',') || 'passing'})`,
    blocking: true,
    async fetch(api, options) {
      const { value, meta } = await api.health.service(name as string, {
        ...options,
        ...(tag ? { tag } : {}),
        ...(dc ? { dc } : {}),
        ...(near ? { near } : {}),
        passing: passingOnly,
      });
      const services = value
        .map(toHealthService)
        .filter((s) => passingOnly || filters.includes('any') || filters.includes(s.Status))
        .sort((a, b) => (a.Node < b.Node ? -1 : a.Node > b.Node ? 1 : a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : 0));
      // With ~near the agent's order (by round-trip time) is the order.
      return { value: near ? value.map(toHealthService).filter((s) => services.includes(s)) : services, index: meta.index };
    },
  };
}

function toHealthService(entry: ServiceEntry): HealthService {
  const svc = entry.Service;
  return {
    Node: entry.Node.Node,
    NodeID: entry.Node.ID ?? '',
    NodeAddress: entry.Node.Address,
    NodeDatacenter: entry.Node.Datacenter ?? '',
    NodeTaggedAddresses: entry.Node.TaggedAddresses ?? {},
    NodeMeta: entry.Node.Meta ?? {},
    ServiceMeta: svc.Meta ?? {},
    Address: svc.Address || entry.Node.Address,
    ID: svc.ID,
    Name: svc.Service,
    Kind: svc.Kind ?? '',
    Tags: ServiceTags.sorted(svc.Tags ?? []),
    Checks: entry.Checks,
    Status: statusFromChecks(entry.Checks),
    Port: svc.Port,
    Weights: { Passing: svc.Weights?.Passing ?? 1, Warning: svc.Weights?.Warning ?? 1 },
  };
}

// ---- services, nodes, node, datacenters ----------------------------------------------

const DC_RE = /^(?:@(?<dc>[\w.-]+))?$/;

function dcOf(query: string | undefined, what: string): string | undefined {
  const m = DC_RE.exec(query ?? '');
  if (!m) throw new DependencyError(`invalid ${what} dependency format: ${JSON.stringify(query)}`);
  return m.groups?.dc;
}

/** `services ["@dc"]`: every service name with its tags, sorted by name. */
export function catalogServicesDependency(query?: string): Dependency {
  const dc = dcOf(query, 'catalog services');
  return {
    key: `catalog.services(${query ?? ''})`,
    blocking: true,
    async fetch(api, options) {
      const { value, meta } = await api.catalog.services({ ...options, ...(dc ? { dc } : {}) });
      const list = Object.keys(value)
        .sort()
        .map((name) => ({ Name: name, Tags: ServiceTags.sorted(value[name] ?? []) }));
      return { value: list, index: meta.index };
    },
  };
}

/** `nodes ["@dc"]`: every node, sorted by name. */
export function catalogNodesDependency(query?: string): Dependency {
  const dc = dcOf(query, 'catalog nodes');
  return {
    key: `catalog.nodes(${query ?? ''})`,
    blocking: true,
    async fetch(api, options) {
      const { value, meta } = await api.catalog.nodes({ ...options, ...(dc ? { dc } : {}) });
      const nodes = value
        .map((n) => ({ ID: n.ID ?? '', Node: n.Node, Address: n.Address, Datacenter: n.Datacenter ?? '', TaggedAddresses: n.TaggedAddresses ?? {}, Meta: n.Meta ?? {} }))
        .sort((a, b) => (a.Node < b.Node ? -1 : a.Node > b.Node ? 1 : 0));
      return { value: nodes, index: meta.index };
    },
  };
}

/** `node ["name"] ["@dc"]`: one node and its services (the local agent's node without a name). */
export function catalogNodeDependency(query?: string): Dependency {
  const m = /^(?<name>[\w\-.]*)(?:@(?<dc>[\w.-]+))?$/.exec(query ?? '');
  if (!m?.groups) throw new DependencyError(`invalid catalog node dependency format: ${JSON.stringify(query)}`);
  const { name, dc } = m.groups;
  return {
    key: `catalog.node(${query ?? ''})`,
    blocking: true,
    async fetch(api, options) {
      let nodeName = name;
      if (!nodeName) {
        const self = (await api.agent.self()) as { Config?: { NodeName?: string } };
        nodeName = self.Config?.NodeName ?? '';
      }
      const { value, meta } = await api.catalog.node(nodeName, { ...options, ...(dc ? { dc } : {}) });
      if (!value) return { value: undefined, index: meta.index };
      const services = Object.values(value.Services)
        .map((s) => ({ ID: s.ID, Service: s.Service, Tags: ServiceTags.sorted(s.Tags ?? []), Meta: s.Meta ?? {}, Port: s.Port, Address: s.Address }))
        .sort((a, b) => (a.Service < b.Service ? -1 : a.Service > b.Service ? 1 : 0));
      const n = value.Node;
      return {
        value: {
          Node: { ID: n.ID ?? '', Node: n.Node, Address: n.Address, Datacenter: n.Datacenter ?? '', TaggedAddresses: n.TaggedAddresses ?? {}, Meta: n.Meta ?? {} },
          Services: services,
        },
        index: meta.index,
      };
    },
  };
}

/** How often a non-blocking query is repeated (consul-template's DefaultNonBlockingQuerySleepTime). */
export const NON_BLOCKING_POLL_MS = 15_000;

/**
 * `datacenters [ignoreFailing]`: known datacenters, sorted; with `true`, only those whose
 * catalog answers a consistent read now (consul-template's ignoreFailing). The endpoint does not
 * block, so it is read again every NON_BLOCKING_POLL_MS.
 */
export function datacentersDependency(ignoreFailing = false, pollMs = NON_BLOCKING_POLL_MS): Dependency {
  return {
    key: ignoreFailing ? 'catalog.datacenters(ignore-failing)' : 'catalog.datacenters',
    blocking: false,
    pollMs,
    async fetch(api, options) {
      const signal = options.signal ? { signal: options.signal } : {};
      let dcs = await api.catalog.datacenters(signal);
      if (ignoreFailing) {
        const up = await Promise.all(
          dcs.map((dc) =>
            api.catalog.services({ dc, consistent: true, ...signal }).then(
              () => true,
              () => false,
            ),
          ),
        );
        dcs = dcs.filter((_, i) => up[i]);
      }
      return { value: [...dcs].sort(), index: 1 };
    },
  };
}

// ---- KV ----------------------------------------------------------------------------------

export interface KeyPair {
  readonly Path: string;
  readonly Key: string;
  readonly Value: string;
  readonly CreateIndex: number;
  readonly ModifyIndex: number;
  readonly LockIndex: number;
  readonly Flags: number;
  readonly Session: string;
}

const KEY_RE = /^(?<key>[^@]+?)(?:@(?<dc>[\w.-]+))?$/;

function splitKey(query: string): { key: string; dc: string | undefined } {
  const m = KEY_RE.exec(query);
  if (!m?.groups) throw new DependencyError(`invalid key dependency format: ${JSON.stringify(query)}`);
  return { key: (m.groups.key as string).replace(/^\/+/, ''), dc: m.groups.dc };
}

/** `key "path[@dc]"`: the value as a string, or `undefined` while the key does not exist. */
export function kvGetDependency(query: string): Dependency {
  const { key, dc } = splitKey(query);
  if (key === '') throw new DependencyError('key: cannot specify empty key');
  return {
    key: `kv.get(${query})`,
    blocking: true,
    async fetch(api, options) {
      const { value, meta } = await api.kv.get(key, { ...options, ...(dc ? { dc } : {}) });
      return { value: value ? (value.Value?.toString('utf8') ?? '') : undefined, index: meta.index };
    },
  };
}

function toKeyPair(pair: KVPair, prefix: string): KeyPair {
  return {
    Path: pair.Key,
    Key: pair.Key.slice(prefix.length),
    Value: pair.Value?.toString('utf8') ?? '',
    CreateIndex: pair.CreateIndex,
    ModifyIndex: pair.ModifyIndex,
    LockIndex: pair.LockIndex,
    Flags: pair.Flags,
    Session: pair.Session ?? '',
  };
}

/** `tree`/`ls "prefix[@dc]"`: the pairs under a prefix, keys relative to it (one query serves both). */
export function kvListDependency(query: string): Dependency {
  const { key, dc } = splitKey(query);
  const prefix = key === '' || key.endsWith('/') ? key : `${key}/`;
  return {
    key: `kv.list(${query})`,
    blocking: true,
    async fetch(api, options) {
      const { value, meta } = await api.kv.list(prefix, { ...options, ...(dc ? { dc } : {}) });
      const pairs = value.map((p) => toKeyPair(p, prefix)).filter((p) => p.Key !== '' && !p.Key.endsWith('/'));
      return { value: pairs, index: meta.index };
    },
  };
}

/** Keeps the top-level pairs of a tree (what `ls` shows). */
export function topLevel(pairs: readonly KeyPair[]): KeyPair[] {
  return pairs.filter((p) => !p.Key.includes('/'));
}
