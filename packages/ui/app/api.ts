/** The agent's HTTP API as the UI uses it: JSON reads with their index, KV writes, typed errors. */

export class ApiError extends Error {
  /** The HTTP status, or 0 when the agent could not be reached. */
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export interface Indexed<T> {
  data: T;
  /** X-Consul-Index, or undefined when the endpoint does not block. */
  index: number | undefined;
}

function describe(status: number, body: string): string {
  const text = body.trim();
  if (status === 403) return `Permission denied${text ? `: ${text}` : ''}. The agent refused this read (ACL).`;
  return text ? `${status}: ${text}` : `The agent answered ${status}`;
}

async function call(path: string, init: RequestInit = {}): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers: { Accept: 'application/json', ...(init.headers ?? {}) } });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'Cannot reach the agent.');
  }
  return res;
}

/**
 * A GET returning JSON. `missing` is returned for a 404 (the KV store answers 404 for an absent
 * key or an empty prefix).
 */
export async function getJson<T>(path: string, signal?: AbortSignal, missing?: T): Promise<Indexed<T>> {
  const res = await call(path, signal ? { signal } : {});
  const raw = res.headers.get('X-Consul-Index');
  const index = raw === null ? undefined : Number(raw);
  if (res.status === 404 && missing !== undefined) {
    await res.body?.cancel();
    return { data: missing, index };
  }
  const text = await res.text();
  if (!res.ok) throw new ApiError(res.status, describe(res.status, text));
  try {
    return { data: JSON.parse(text) as T, index };
  } catch {
    throw new ApiError(res.status, 'The agent sent a reply that is not JSON.');
  }
}

async function writeCall(method: 'PUT' | 'DELETE', path: string, body?: string): Promise<boolean> {
  const res = await call(path, body === undefined ? { method } : { method, body });
  const text = await res.text();
  if (!res.ok) throw new ApiError(res.status, describe(res.status, text));
  return text.trim() === 'true';
}

/** `/v1/kv/<key>` with each segment escaped (keys may hold any character but `/` separates). */
export function kvPath(key: string): string {
  return `/v1/kv/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/** Writes a key; with `cas` only if its ModifyIndex is still `cas` (0: only if absent). False when refused. */
export function kvPut(key: string, value: string, options: { cas?: number; flags?: number } = {}): Promise<boolean> {
  const q = new URLSearchParams();
  if (options.cas !== undefined) q.set('cas', String(options.cas));
  if (options.flags !== undefined && options.flags !== 0) q.set('flags', String(options.flags));
  const qs = q.toString();
  return writeCall('PUT', kvPath(key) + (qs ? `?${qs}` : ''), value);
}

/** Deletes a key (with `cas`, only if unchanged) or, with `recurse`, everything under a prefix. */
export function kvDelete(key: string, options: { cas?: number; recurse?: boolean } = {}): Promise<boolean> {
  const q = new URLSearchParams();
  if (options.cas !== undefined) q.set('cas', String(options.cas));
  const qs = q.toString() + (options.recurse ? `${q.toString() ? '&' : ''}recurse` : '');
  return writeCall('DELETE', kvPath(key) + (qs ? `?${qs}` : ''));
}

/** A KV value as text when it is valid UTF-8, else undefined. */
export function decodeValue(base64: string | null): { text: string | undefined; bytes: number } {
  if (base64 === null) return { text: '', bytes: 0 };
  const bin = atob(base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), bytes: bytes.length };
  } catch {
    return { text: undefined, bytes: bytes.length };
  }
}
