/** The HTTP layer under every API group: URLs, query options, headers, errors. */
import { ApiError } from './errors.js';
import { parseDuration } from '@concord/goflags';
import { formatWait } from './duration.js';
import { exchange } from './http-exchange.js';
import type { QueryMeta, QueryOptions, QueryResult, RequestOptions } from './options.js';

export type Method = 'GET' | 'PUT' | 'POST' | 'DELETE';

/** Query string parameters; `true` sends a presence flag (`?recurse=`), `undefined`/`false` nothing. */
export type Params = Record<string, string | number | boolean | readonly string[] | undefined>;

export interface CallSpec {
  readonly method: Method;
  /** Path below the base URL, already escaped, starting with `/v1/`. */
  readonly path: string;
  readonly params?: Params;
  /** A JSON value, or raw bytes/text sent as is. */
  readonly json?: unknown;
  readonly raw?: Uint8Array | string;
  readonly options?: RequestOptions;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
}

/**
 * The longest wait a blocking query asks for: with Consul's wait/16 of jitter the
 * answer still comes within 300 s, the response timeout of many HTTP clients and
 * proxies. A blocking loop sees an early answer as "no change".
 */
export const MAX_WAIT_MS = 270_000;

export interface TransportConfig {
  readonly baseUrl: string;
  readonly token?: string;
  readonly datacenter?: string;
  /** Connection pool for https:// agents (CA, client certificate); the default one otherwise. */
  readonly agent?: import('node:http').Agent;
}

export class Transport {
  readonly baseUrl: string;
  readonly #token: string | undefined;
  readonly #datacenter: string | undefined;
  readonly #agent: import('node:http').Agent | undefined;

  constructor(config: TransportConfig) {
    this.#agent = config.agent;
    this.baseUrl = config.baseUrl;
    this.#token = config.token;
    this.#datacenter = config.datacenter;
  }

  /** Sends a request and returns the answer whatever its status. */
  async send(spec: CallSpec): Promise<RawResponse> {
    const url = new URL(this.baseUrl + spec.path);
    const dc = spec.options?.dc ?? this.#datacenter;
    if (dc) url.searchParams.append('dc', dc);
    for (const [name, value] of Object.entries(spec.params ?? {})) {
      if (value === undefined || value === false) continue;
      if (value === true) url.searchParams.append(name, '');
      else if (Array.isArray(value)) for (const v of value) url.searchParams.append(name, v);
      else url.searchParams.append(name, String(value));
    }
    const headers: Record<string, string> = {};
    const token = spec.options?.token ?? this.#token;
    if (token) headers['X-Consul-Token'] = token;
    let body: string | Uint8Array | undefined;
    if (spec.json !== undefined) {
      body = JSON.stringify(spec.json);
      headers['Content-Type'] = 'application/json';
    } else if (spec.raw !== undefined) {
      body = spec.raw;
    }
    try {
      return await exchange(url, { method: spec.method, headers, body, signal: spec.options?.signal, ...(this.#agent ? { agent: this.#agent } : {}) });
    } catch (err) {
      throw transportError(spec.method, url, err);
    }
  }

  /** Sends a request; a non-2xx answer (other than the allowed ones) throws {@link ApiError}. */
  async call(spec: CallSpec, allow: readonly number[] = []): Promise<RawResponse> {
    const res = await this.send(spec);
    if ((res.status < 200 || res.status > 299) && !allow.includes(res.status)) {
      throw new ApiError(res.status, res.body.toString('utf8'));
    }
    return res;
  }

  /** A JSON answer. */
  async json<T>(spec: CallSpec): Promise<T> {
    const res = await this.call(spec);
    return parseJson<T>(res.body);
  }

  /** A request whose answer body is ignored. */
  async none(spec: CallSpec): Promise<void> {
    await this.call(spec);
  }

  /** A bare `true`/`false` answer, as KV and catalog writes give. */
  async bool(spec: CallSpec): Promise<boolean> {
    const res = await this.call(spec);
    return res.body.toString('utf8').trim() === 'true';
  }

  /**
   * A read with query options. `missing` is the value of a 404 answer; without
   * it a 404 is an error.
   */
  async query<W, T = W>(path: string, options: QueryOptions | undefined, params: Params, decode: (wire: W) => T, missing?: () => T): Promise<QueryResult<T>> {
    const spec: CallSpec = {
      method: 'GET',
      path,
      params: { ...queryParams(options), ...params },
      options,
    };
    const res = await this.call(spec, missing ? [404] : []);
    const meta = metaOf(res.headers);
    if (res.status === 404 && missing) return { value: missing(), meta };
    return { value: decode(parseJson<W>(res.body)), meta };
  }
}

/** The query string for {@link QueryOptions} (without `dc`, which every request gets). */
export function queryParams(options: QueryOptions | undefined): Params {
  if (!options) return {};
  const params: Params = {};
  if (options.stale) params.stale = true;
  if (options.consistent) params.consistent = true;
  if (options.filter) params.filter = options.filter;
  if (options.near) params.near = options.near;
  if (options.nodeMeta) {
    params['node-meta'] = Object.entries(options.nodeMeta).map(([k, v]) => `${k}:${v}`);
  }
  if (options.index !== undefined && options.index > 0) {
    params.index = Math.floor(options.index);
    const wait = options.wait === undefined ? MAX_WAIT_MS : waitMs(options.wait);
    params.wait = formatWait(Math.min(wait, MAX_WAIT_MS));
  } else if (options.wait !== undefined) {
    params.wait = formatWait(Math.min(waitMs(options.wait), MAX_WAIT_MS));
  }
  return params;
}

function waitMs(wait: number | string): number {
  if (typeof wait === 'number') return wait;
  const ms = parseDuration(wait);
  if (ms === undefined || ms < 0) throw new TypeError(`invalid wait duration "${wait}"`);
  return ms;
}

/** Reads X-Consul-Index, X-Consul-KnownLeader and X-Consul-LastContact. */
export function metaOf(headers: Headers): QueryMeta {
  return {
    index: uintHeader(headers.get('x-consul-index')),
    knownLeader: headers.get('x-consul-knownleader') === 'true',
    lastContact: uintHeader(headers.get('x-consul-lastcontact')),
  };
}

function uintHeader(value: string | null): number {
  if (value === null) return 0;
  const n = Number.parseInt(value, 10);
  return Number.isFinite(n) && n >= 0 ? n : 0;
}

function parseJson<T>(body: Buffer): T {
  const text = body.toString('utf8');
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`invalid JSON in response: ${text.slice(0, 200)}`);
  }
}

/** Escapes each `/`-separated segment of a path parameter (KV keys keep their slashes). */
export function escapePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** Escapes one path segment (service IDs, node names, check IDs). */
export function escapeSegment(segment: string): string {
  return encodeURIComponent(segment);
}

/** Go's url.Error style: `Get "http://127.0.0.1:8500/v1/kv/a": connect ECONNREFUSED 127.0.0.1:8500`. */
function transportError(method: Method, url: URL, err: unknown): Error {
  if (err instanceof Error && err.name === 'AbortError') return err;
  const verb = method.charAt(0) + method.slice(1).toLowerCase();
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  const code = (cause as { code?: unknown } | null)?.code;
  const detail = (cause instanceof Error && cause.message) || (typeof code === 'string' ? code : String(cause));
  return new Error(`${verb} "${url.href}": ${oneLineDetail(detail)}`, { cause: err });
}

/** OpenSSL's `<hex>:error:<code>:<library>:<function>:<reason>:<file>:<line>:...` error text. */
const OPENSSL_ERROR = /(?:[0-9A-F]+:)?error:[0-9A-F]+:([^:\n]*):[^:\n]*:([^:\n]+)/;
/** The reason OpenSSL gives when the peer sent a TLS alert. */
const TLS_ALERT = /^(?:sslv3|tlsv1|tlsv13) alert (.+)$/;

/**
 * One line, without OpenSSL's codes and source file names: a TLS alert from the agent reads as
 * Go prints it (`remote error: tls: certificate required`), other OpenSSL errors as
 * `<library>: <reason>`.
 */
function oneLineDetail(detail: string): string {
  const ssl = OPENSSL_ERROR.exec(detail);
  if (ssl) {
    const reason = (ssl[2] ?? '').trim();
    const alert = TLS_ALERT.exec(reason);
    if (alert) return `remote error: tls: ${alert[1]}`;
    return ssl[1] ? `${ssl[1].trim()}: ${reason}` : reason;
  }
  return detail.replace(/\s*\n\s*/g, ' ').trim();
}
