/** `/v1/health`: checks and health-filtered service instances. */
import { orEmpty, tagParam } from './catalog.js';
import type { QueryOptions, QueryResult } from './options.js';
import { escapeSegment, type Transport } from './transport.js';
import type { HealthCheck, HealthStatus, ServiceEntry } from './types.js';

export interface HealthServiceOptions extends QueryOptions {
  /** Only instances whose every check (node checks included) is passing. */
  readonly passing?: boolean;
  /** Only instances carrying this tag (or all of these tags). */
  readonly tag?: string | readonly string[];
}

export class Health {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Every check on a node, node-level and service-level. */
  node(node: string, options?: QueryOptions): Promise<QueryResult<HealthCheck[]>> {
    return this.#t.query<HealthCheck[] | null, HealthCheck[]>(`/v1/health/node/${escapeSegment(node)}`, options, {}, orEmpty);
  }

  /** The checks of every instance of a service. */
  checks(service: string, options?: QueryOptions): Promise<QueryResult<HealthCheck[]>> {
    return this.#t.query<HealthCheck[] | null, HealthCheck[]>(`/v1/health/checks/${escapeSegment(service)}`, options, {}, orEmpty);
  }

  /** Instances of a service with their node and checks. */
  service(service: string, options?: HealthServiceOptions): Promise<QueryResult<ServiceEntry[]>> {
    return this.#t.query<ServiceEntry[] | null, ServiceEntry[]>(
      `/v1/health/service/${escapeSegment(service)}`,
      options,
      { passing: options?.passing ? '1' : undefined, tag: tagParam(options?.tag) },
      orEmpty,
    );
  }

  /** Every check in a state (`any` for all). */
  state(state: HealthStatus | 'any', options?: QueryOptions): Promise<QueryResult<HealthCheck[]>> {
    return this.#t.query<HealthCheck[] | null, HealthCheck[]>(`/v1/health/state/${escapeSegment(state)}`, options, {}, orEmpty);
  }
}
