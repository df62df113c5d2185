/**
 * Requests for agent endpoints the typed `@concord/api` client has no method
 * for (snapshot save/restore, the keyring), with the same address, token,
 * datacenter and error messages as the client's.
 */
import { ApiError, exchange } from '@concord/api';
import type { HttpSettings } from './http-flags.js';

export interface RawCall {
  readonly method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** Path below the agent's base URL, starting with `/v1/`. */
  readonly path: string;
  /** Presence flags (`true`) and values for the query string. */
  readonly params?: Readonly<Record<string, string | boolean | undefined>>;
  readonly body?: Uint8Array | string;
  readonly contentType?: string;
}

export interface RawAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
}

/** Sends the request; a non-2xx answer throws {@link ApiError}, a network failure a Go-style error. */
export async function rawRequest(http: HttpSettings, call: RawCall): Promise<RawAnswer> {
  const url = new URL(http.client.baseUrl + call.path);
  if (http.datacenter) url.searchParams.append('dc', http.datacenter);
  for (const [name, value] of Object.entries(call.params ?? {})) {
    if (value === true) url.searchParams.append(name, '');
    else if (typeof value === 'string') url.searchParams.append(name, value);
  }
  const headers: Record<string, string> = {};
  if (http.token) headers['X-Consul-Token'] = http.token;
  if (call.contentType) headers['Content-Type'] = call.contentType;
  let res: RawAnswer;
  try {
    res = await exchange(url, { method: call.method, headers, body: call.body, ...(http.client.httpsAgent ? { agent: http.client.httpsAgent } : {}) });
  } catch (err) {
    throw networkError(call.method, url, err);
  }
  if (res.status < 200 || res.status > 299) throw new ApiError(res.status, res.body.toString('utf8'));
  return res;
}

/** `Put "http://127.0.0.1:8500/v1/snapshot": connect ECONNREFUSED 127.0.0.1:8500`, as Go's url.Error reads. */
function networkError(method: string, url: URL, err: unknown): Error {
  const verb = method.charAt(0) + method.slice(1).toLowerCase();
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new Error(`${verb} "${url.href}": ${detail}`, { cause: err });
}
