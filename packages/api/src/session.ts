/** `/v1/session`: sessions for locks and leader election. */
import type { QueryOptions, QueryResult, WriteOptions } from './options.js';
import { escapeSegment, type Transport } from './transport.js';
import type { SessionEntry, SessionRequest } from './types.js';

export class Session {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Creates a session and returns its ID. */
  async create(request: SessionRequest = {}, options?: WriteOptions): Promise<string> {
    const res = await this.#t.json<{ ID: string }>({
      method: 'PUT',
      path: '/v1/session/create',
      json: request,
      options,
    });
    return res.ID;
  }

  /** Destroys a session, releasing or deleting the keys it holds. */
  destroy(id: string, options?: WriteOptions): Promise<boolean> {
    return this.#t.bool({ method: 'PUT', path: `/v1/session/destroy/${escapeSegment(id)}`, options });
  }

  /** Renews a TTL session; `undefined` when the session no longer exists. */
  async renew(id: string, options?: WriteOptions): Promise<SessionEntry | undefined> {
    const res = await this.#t.call({ method: 'PUT', path: `/v1/session/renew/${escapeSegment(id)}`, options }, [404]);
    if (res.status === 404) return undefined;
    const list = JSON.parse(res.body.toString('utf8')) as SessionEntry[] | null;
    return list?.[0];
  }

  /** One session; `undefined` when it does not exist. */
  info(id: string, options?: QueryOptions): Promise<QueryResult<SessionEntry | undefined>> {
    return this.#t.query<SessionEntry[] | null, SessionEntry | undefined>(`/v1/session/info/${escapeSegment(id)}`, options, {}, (list) => list?.[0]);
  }

  /** Every session in the datacenter. */
  list(options?: QueryOptions): Promise<QueryResult<SessionEntry[]>> {
    return this.#t.query<SessionEntry[] | null, SessionEntry[]>('/v1/session/list', options, {}, (l) => l ?? []);
  }

  /** The sessions of one node. */
  node(node: string, options?: QueryOptions): Promise<QueryResult<SessionEntry[]>> {
    return this.#t.query<SessionEntry[] | null, SessionEntry[]>(`/v1/session/node/${escapeSegment(node)}`, options, {}, (l) => l ?? []);
  }
}
