/** Options shared by every request, and the metadata of read answers. */

export interface RequestOptions {
  /** Target datacenter (`?dc=`); defaults to the client's datacenter, if set. */
  readonly dc?: string;
  /** ACL token for this request, overriding the client's token. */
  readonly token?: string;
  /** Aborts the request. */
  readonly signal?: AbortSignal;
}

export type WriteOptions = RequestOptions;

export interface QueryOptions extends RequestOptions {
  /** Blocking query: wait until the result's index is above this one. */
  readonly index?: number;
  /** Longest time to block: milliseconds, or a Go duration string such as `"30s"`. */
  readonly wait?: number | string;
  /** Let any server answer from its own state (`?stale`). */
  readonly stale?: boolean;
  /** Have the leader confirm leadership before reading (`?consistent`). */
  readonly consistent?: boolean;
  /** Server-side filter expression (`?filter=`). */
  readonly filter?: string;
  /** Sort by round-trip time from this node (`?near=`, `_agent` for the local one). */
  readonly near?: string;
  /** Node metadata filters, sent as repeated `?node-meta=key:value`. */
  readonly nodeMeta?: Readonly<Record<string, string>>;
}

/** What the X-Consul-* headers of a read say about its answer. */
export interface QueryMeta {
  /** `X-Consul-Index`: pass it back as `index` to block for the next change. */
  readonly index: number;
  /** `X-Consul-KnownLeader`. */
  readonly knownLeader: boolean;
  /** `X-Consul-LastContact`: milliseconds since the answering server heard from the leader. */
  readonly lastContact: number;
}

/** The answer to a read: its value and the metadata from the response headers. */
export interface QueryResult<T> {
  readonly value: T;
  readonly meta: QueryMeta;
}
