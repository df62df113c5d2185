/** `/v1/catalog`: the cluster-wide registry of nodes and services. */
import type { QueryOptions, QueryResult, RequestOptions, WriteOptions } from './options.js';
import { escapeSegment, type Transport } from './transport.js';
import type { CatalogDeregistration, CatalogNode, CatalogNodeEntry, CatalogNodeServiceList, CatalogRegistration, CatalogServiceEntry } from './types.js';

export interface CatalogServiceOptions extends QueryOptions {
  /** Only instances carrying this tag (or all of these tags). */
  readonly tag?: string | readonly string[];
}

export class Catalog {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Registers a node, and optionally a service and checks on it. */
  async register(registration: CatalogRegistration, options?: WriteOptions): Promise<void> {
    await this.#t.bool({ method: 'PUT', path: '/v1/catalog/register', json: registration, options });
  }

  /** Removes a node, or just one of its services or checks. */
  async deregister(deregistration: CatalogDeregistration, options?: WriteOptions): Promise<void> {
    await this.#t.bool({ method: 'PUT', path: '/v1/catalog/deregister', json: deregistration, options });
  }

  /** Known datacenters, nearest first. */
  datacenters(options?: RequestOptions): Promise<string[]> {
    return this.#t.json<string[]>({ method: 'GET', path: '/v1/catalog/datacenters', options });
  }

  nodes(options?: QueryOptions): Promise<QueryResult<CatalogNodeEntry[]>> {
    return this.#t.query<CatalogNodeEntry[] | null, CatalogNodeEntry[]>('/v1/catalog/nodes', options, {}, orEmpty);
  }

  /** Service names mapped to every tag used by their instances. */
  services(options?: QueryOptions): Promise<QueryResult<Record<string, string[]>>> {
    return this.#t.query<Record<string, string[] | null> | null, Record<string, string[]>>('/v1/catalog/services', options, {}, (map) =>
      Object.fromEntries(Object.entries(map ?? {}).map(([k, v]) => [k, v ?? []])),
    );
  }

  /** Instances of one service (health is not considered). */
  service(name: string, options?: CatalogServiceOptions): Promise<QueryResult<CatalogServiceEntry[]>> {
    return this.#t.query<CatalogServiceEntry[] | null, CatalogServiceEntry[]>(`/v1/catalog/service/${escapeSegment(name)}`, options, { tag: tagParam(options?.tag) }, orEmpty);
  }

  /** One node with its services keyed by ID; `null` when the node is unknown. */
  node(name: string, options?: QueryOptions): Promise<QueryResult<CatalogNode | null>> {
    return this.#t.query<CatalogNode | null>(`/v1/catalog/node/${escapeSegment(name)}`, options, {}, (n) => n);
  }

  /** One node with its services as a list; `null` when the node is unknown. */
  nodeServices(name: string, options?: QueryOptions): Promise<QueryResult<CatalogNodeServiceList | null>> {
    return this.#t.query<CatalogNodeServiceList | null>(`/v1/catalog/node-services/${escapeSegment(name)}`, options, {}, (n) => n);
  }
}

export function orEmpty<T>(list: T[] | null): T[] {
  return list ?? [];
}

export function tagParam(tag: string | readonly string[] | undefined): readonly string[] | undefined {
  if (tag === undefined) return undefined;
  return typeof tag === 'string' ? [tag] : tag;
}
