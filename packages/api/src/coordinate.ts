/** `/v1/coordinate`: network coordinates of the nodes. */
import { orEmpty } from './catalog.js';
import type { QueryOptions, QueryResult, RequestOptions, WriteOptions } from './options.js';
import { escapeSegment, type Transport } from './transport.js';
import type { CoordinateDatacenterMap, CoordinateEntry } from './types.js';

export class Coordinate {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** The servers' coordinates per datacenter (`GET /v1/coordinate/datacenters`). */
  datacenters(options?: RequestOptions): Promise<CoordinateDatacenterMap[]> {
    return this.#t.json<CoordinateDatacenterMap[]>({ method: 'GET', path: '/v1/coordinate/datacenters', options });
  }

  /** Every node's LAN coordinates (`GET /v1/coordinate/nodes`). */
  nodes(options?: QueryOptions): Promise<QueryResult<CoordinateEntry[]>> {
    return this.#t.query<CoordinateEntry[] | null, CoordinateEntry[]>('/v1/coordinate/nodes', options, {}, orEmpty);
  }

  /** One node's coordinates, one per segment; `[]` when it has none (the agent answers 404). */
  node(name: string, options?: QueryOptions): Promise<QueryResult<CoordinateEntry[]>> {
    return this.#t.query<CoordinateEntry[] | null, CoordinateEntry[]>(`/v1/coordinate/node/${escapeSegment(name)}`, options, {}, orEmpty, () => []);
  }

  /** Sets a node's coordinate (`PUT /v1/coordinate/update`). */
  async update(entry: CoordinateEntry, options?: WriteOptions): Promise<void> {
    await this.#t.call({ method: 'PUT', path: '/v1/coordinate/update', json: entry, options });
  }
}
