/** `/v1/kv`: the key/value store. */
import type { QueryOptions, QueryResult, WriteOptions } from './options.js';
import { escapePath, metaOf, queryParams, type Transport } from './transport.js';
import type { KVPair, KVPairWire } from './types.js';

export interface KVPutOptions extends WriteOptions {
  /** Opaque uint64 stored with the key; a bigint for values above 2^53 (Consul's lock flags). */
  readonly flags?: number | bigint;
  /** Check-and-set: write only if ModifyIndex equals this (0: only if the key is absent). */
  readonly cas?: number;
  /** Take the lock for this session. */
  readonly acquire?: string;
  /** Release the lock held by this session. */
  readonly release?: string;
}

export interface KVDeleteOptions extends WriteOptions {
  /** Delete every key starting with the given prefix. */
  readonly recurse?: boolean;
  /** Delete only if ModifyIndex equals this. */
  readonly cas?: number;
}

export interface KVKeysOptions extends QueryOptions {
  /** Collapse keys after the first separator following the prefix, e.g. `/`. */
  readonly separator?: string;
}

export class KV {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** One key; `value` is `undefined` when the key does not exist. */
  get(key: string, options?: QueryOptions): Promise<QueryResult<KVPair | undefined>> {
    return this.#t.query<KVPairWire[], KVPair | undefined>(
      kvPath(key),
      options,
      {},
      (list) => (list[0] ? decodeKVPair(list[0]) : undefined),
      () => undefined,
    );
  }

  /** Every key under a prefix (`?recurse`), sorted by key; empty when none. */
  list(prefix: string, options?: QueryOptions): Promise<QueryResult<KVPair[]>> {
    return this.#t.query<KVPairWire[], KVPair[]>(
      kvPath(prefix),
      options,
      { recurse: true },
      (list) => list.map(decodeKVPair),
      () => [],
    );
  }

  /** Key names under a prefix (`?keys`), optionally collapsed at a separator. */
  keys(prefix: string, options?: KVKeysOptions): Promise<QueryResult<string[]>> {
    const params = options?.separator ? { keys: true, separator: options.separator } : { keys: true };
    return this.#t.query<string[]>(
      kvPath(prefix),
      options,
      params,
      (list) => list,
      () => [],
    );
  }

  /** The raw bytes of one key (`?raw`); `undefined` when it does not exist. */
  async raw(key: string, options?: QueryOptions): Promise<QueryResult<Buffer | undefined>> {
    const res = await this.#t.call({ method: 'GET', path: kvPath(key), params: { ...queryParams(options), raw: true }, options }, [404]);
    return { value: res.status === 404 ? undefined : res.body, meta: metaOf(res.headers) };
  }

  /**
   * Writes a value. Answers what the agent answered: `false` when a `cas`,
   * `acquire` or `release` condition did not hold.
   */
  put(key: string, value: Uint8Array | string = '', options?: KVPutOptions): Promise<boolean> {
    return this.#t.bool({
      method: 'PUT',
      path: kvPath(key),
      params: {
        flags: options?.flags ? String(options.flags) : undefined,
        cas: options?.cas,
        acquire: options?.acquire,
        release: options?.release,
      },
      raw: value,
      options,
    });
  }

  /** Deletes a key, or a whole prefix with `recurse`. `false` when a `cas` did not hold. */
  delete(key: string, options?: KVDeleteOptions): Promise<boolean> {
    return this.#t.bool({
      method: 'DELETE',
      path: kvPath(key),
      params: { recurse: options?.recurse, cas: options?.cas },
      options,
    });
  }
}

export function kvPath(key: string): string {
  return `/v1/kv/${escapePath(key)}`;
}

export function decodeKVPair(wire: KVPairWire): KVPair {
  const pair: KVPair = {
    Key: wire.Key,
    CreateIndex: wire.CreateIndex,
    ModifyIndex: wire.ModifyIndex,
    LockIndex: wire.LockIndex,
    Flags: wire.Flags,
    Value: wire.Value === null || wire.Value === undefined ? null : Buffer.from(wire.Value, 'base64'),
    ...(wire.Session ? { Session: wire.Session } : {}),
  };
  return pair;
}
