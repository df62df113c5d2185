/**
 * The agent-side cache behind `?cached` (Consul's agent/cache with background refresh): the
 * first read of a result fetches it from the servers (a MISS) and starts a blocking query
 * that keeps it current; later reads are answered here (a HIT) without a round trip. `Age` is 0
 * while the refresh is in contact with the servers, else the time since it lost contact.
 * `Cache-Control: max-age=N` makes a read older than N seconds fetch afresh, `must-revalidate`
 * (or `max-age=0`) always does, and `stale-if-error=N` serves the cached result when that fetch
 * fails and the result is at most N seconds old. Entries unread for a while are dropped, and
 * their number is bounded (least recently read go first).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseDuration } from '@concord/goflags';

export interface CachedFetch {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Fetches `path` (with query) from the servers with the reader's headers (its token), giving up after `timeoutMs`. */
export type CacheFetcher = (path: string, headers: Record<string, string>, timeoutMs: number, signal: AbortSignal) => Promise<CachedFetch>;

export interface AgentCacheOptions {
  fetch: CacheFetcher;
  /** Most entries kept (default 1024). */
  maxEntries?: number;
  /** Entries not read for this long stop refreshing and are dropped (default 3 days, Consul's). */
  unusedTtlMs?: number;
  /** The `wait` of each background blocking query (default 10 minutes, Consul's). */
  refreshWaitMs?: number;
  /** Longest pause between failed refreshes (default 1 minute). */
  maxBackoffMs?: number;
  defaultQueryTimeMs: number;
  maxQueryTimeMs: number;
}

/** Paths Consul caches with background refresh (health/service, catalog/services, catalog/service). */
const CACHEABLE = [/^\/v1\/health\/service\/[^/]+$/, /^\/v1\/catalog\/services$/, /^\/v1\/catalog\/service\/[^/]+$/];

/** Query parameters that are about this one read, not the result. */
const PER_READ = new Set(['cached', 'index', 'wait', 'stale', 'consistent', 'pretty']);

/** Headers of the servers' answer kept with a cached result. */
const KEPT_HEADERS = ['content-type', 'x-consul-index', 'x-consul-knownleader', 'x-consul-lastcontact', 'x-consul-effective-consistency'];

export interface CacheControl {
  maxAgeMs?: number;
  mustRevalidate: boolean;
  staleIfErrorMs?: number;
}

export class CacheControlError extends Error {}

/** The request's `Cache-Control` directives that Consul honours; bad numbers are an error. */
export function parseCacheControl(raw: string | undefined): CacheControl {
  const out: CacheControl = { mustRevalidate: false };
  if (!raw) return out;
  const seconds = (v: string) => {
    if (!/^\d+$/.test(v)) throw new CacheControlError('Invalid Cache-Control header.');
    return Number(v) * 1000;
  };
  for (const part of raw.toLowerCase().split(',')) {
    const d = part.trim();
    if (d === 'must-revalidate') out.mustRevalidate = true;
    else if (d.startsWith('max-age=')) {
      out.maxAgeMs = seconds(d.slice(8));
      if (out.maxAgeMs === 0) out.mustRevalidate = true;
    } else if (d.startsWith('stale-if-error=')) out.staleIfErrorMs = seconds(d.slice(15));
  }
  return out;
}

interface Entry {
  key: string;
  path: string;
  /** Sent with every fetch: the token of the reads this entry answers. */
  headers: Record<string, string>;
  value: CachedFetch | undefined;
  index: number;
  /** When the background refresh lost contact with the servers (0: in contact). */
  lostContactAt: number;
  lastReadAt: number;
  waiters: Set<() => void>;
  abort: AbortController;
  /** The first fetch, while it runs. */
  loading: Promise<void> | undefined;
  /** Why the last fetch failed. */
  lastError?: string;
  /** The servers' answer when it was not a 200 (a bad filter, a missing datacenter, ...). */
  refused?: CachedFetch;
}

export class AgentCache {
  readonly #o: Required<Omit<AgentCacheOptions, 'fetch'>> & { fetch: CacheFetcher };
  readonly #entries = new Map<string, Entry>();
  #closed = false;
  #hits = 0;
  #misses = 0;

  constructor(o: AgentCacheOptions) {
    this.#o = {
      maxEntries: 1024,
      unusedTtlMs: 3 * 24 * 3600_000,
      refreshWaitMs: 10 * 60_000,
      maxBackoffMs: 60_000,
      ...o,
    };
  }

  get size(): number {
    return this.#entries.size;
  }

  get hits(): number {
    return this.#hits;
  }

  get misses(): number {
    return this.#misses;
  }

  /** Whether this request is one the cache answers (a GET with `?cached` of a cached endpoint). */
  static wants(method: string | undefined, path: string, query: URLSearchParams): boolean {
    return (method === 'GET' || method === 'HEAD') && query.has('cached') && CACHEABLE.some((re) => re.test(path));
  }

  /** Answers a `?cached` read. */
  async serve(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> {
    if (query.has('consistent')) return plain(res, 400, 'Cannot specify ?cached with ?consistent');
    let control: CacheControl;
    try {
      control = parseCacheControl(headerOf(req, 'cache-control'));
    } catch (err) {
      return plain(res, 400, (err as Error).message);
    }
    const minIndex = indexParam(query);
    if (minIndex === null) return plain(res, 400, 'Invalid index');
    const waitMs = waitParam(query, this.#o.defaultQueryTimeMs, this.#o.maxQueryTimeMs);
    if (waitMs === null) return plain(res, 400, 'Invalid wait time');
    const token = headerOf(req, 'x-consul-token') ?? '';
    const key = cacheKey(path, query, token);
    const aborted = new AbortController();
    res.once('close', () => aborted.abort());

    let entry = this.#entries.get(key);
    let hit = entry?.value !== undefined;
    if (!entry) entry = this.#create(key, fetchPath(path, query), token ? { 'x-consul-token': token } : {});
    entry.lastReadAt = Date.now();
    // Most recently read last, for eviction.
    this.#entries.delete(key);
    this.#entries.set(key, entry);

    try {
      if (entry.loading) {
        hit = false;
        await entry.loading;
      }
      if (!entry.value) return plain(res, 500, 'cache: no result');
      if (hit && this.#tooOld(entry, control)) {
        hit = false;
        const fresh = await this.#refetch(entry);
        if (!fresh) {
          const age = this.#ageMs(entry);
          if (control.staleIfErrorMs === undefined || age > control.staleIfErrorMs) return plain(res, 500, entry.lastError ?? 'cache: fetch failed');
          hit = true;
        }
      }
      if (minIndex > 0 && entry.index <= minIndex) {
        hit = false;
        await this.#waitForChange(entry, minIndex, waitMs, aborted.signal);
      }
    } catch (err) {
      const refused = entry.refused;
      if (refused && refused.status >= 400 && refused.status < 500) return plain(res, refused.status, refused.body.toString('utf8'));
      return plain(res, 500, (err as Error).message);
    }
    if (res.destroyed) return;
    if (hit) this.#hits++;
    else this.#misses++;
    const value = entry.value as CachedFetch;
    res.statusCode = value.status;
    for (const [k, v] of Object.entries(value.headers)) res.setHeader(k, v);
    res.setHeader('X-Cache', hit ? 'HIT' : 'MISS');
    if (hit) res.setHeader('Age', String(Math.round(this.#ageMs(entry) / 1000)));
    res.setHeader('Content-Length', value.body.length);
    res.end(req.method === 'HEAD' ? undefined : value.body);
  }

  /** Stops every background refresh. */
  close(): void {
    this.#closed = true;
    for (const e of this.#entries.values()) this.#drop(e);
    this.#entries.clear();
  }

  #ageMs(entry: Entry): number {
    return entry.lostContactAt === 0 ? 0 : Date.now() - entry.lostContactAt;
  }

  #tooOld(entry: Entry, control: CacheControl): boolean {
    if (control.mustRevalidate) return true;
    return control.maxAgeMs !== undefined && this.#ageMs(entry) > control.maxAgeMs;
  }

  #create(key: string, path: string, headers: Record<string, string>): Entry {
    while (this.#entries.size >= this.#o.maxEntries) {
      const oldest = this.#entries.values().next().value as Entry;
      this.#drop(oldest);
      this.#entries.delete(oldest.key);
    }
    const entry: Entry = {
      key,
      path,
      headers,
      value: undefined,
      index: 0,
      lostContactAt: 0,
      lastReadAt: Date.now(),
      waiters: new Set(),
      abort: new AbortController(),
      loading: undefined,
    };
    entry.loading = this.#fetchInto(entry, 0, 0).then((ok) => {
      entry.loading = undefined;
      if (!ok) {
        // A first fetch that fails is not cached: the next read tries again.
        this.#drop(entry);
        if (this.#entries.get(key) === entry) this.#entries.delete(key);
        throw new Error(entry.lastError ?? 'cache: fetch failed');
      }
      void this.#refreshLoop(entry);
    });
    this.#entries.set(key, entry);
    return entry;
  }

  /** One fetch (blocking when `index` > 0); true when the servers answered 200. */
  async #fetchInto(entry: Entry, index: number, waitMs: number): Promise<boolean> {
    const sep = entry.path.includes('?') ? '&' : '?';
    const path = index > 0 ? `${entry.path}${sep}index=${index}&wait=${Math.ceil(waitMs / 1000)}s` : entry.path;
    let got: CachedFetch;
    try {
      // A blocking fetch may take its whole wait plus Consul's jitter of wait/16.
      got = await this.#o.fetch(path, entry.headers, waitMs + waitMs / 16 + 30_000, entry.abort.signal);
    } catch (err) {
      entry.lastError = (err as Error).message;
      return false;
    }
    if (got.status !== 200) {
      entry.lastError = got.body.toString('utf8') || `status ${got.status}`;
      entry.refused = got;
      return false;
    }
    entry.refused = undefined;
    const next = Number(got.headers['x-consul-index'] ?? 0);
    const headers: Record<string, string> = {};
    for (const k of KEPT_HEADERS) if (got.headers[k] !== undefined) headers[k] = got.headers[k] as string;
    // An index that went backwards (a restore) starts the blocking over, as Consul does.
    entry.index = Number.isSafeInteger(next) && next > 0 ? next : 0;
    entry.value = { status: got.status, headers, body: got.body };
    entry.lostContactAt = 0;
    const waiters = [...entry.waiters];
    entry.waiters.clear();
    for (const w of waiters) w();
    return true;
  }

  /** A fetch outside the loop (`max-age` exceeded); false when it failed. */
  async #refetch(entry: Entry): Promise<boolean> {
    const ok = await this.#fetchInto(entry, 0, 0);
    if (!ok && entry.lostContactAt === 0) entry.lostContactAt = Date.now();
    return ok;
  }

  async #refreshLoop(entry: Entry): Promise<void> {
    let failures = 0;
    while (!this.#closed && !entry.abort.signal.aborted) {
      if (Date.now() - entry.lastReadAt > this.#o.unusedTtlMs) {
        this.#drop(entry);
        if (this.#entries.get(entry.key) === entry) this.#entries.delete(entry.key);
        return;
      }
      const ok = await this.#fetchInto(entry, entry.index, this.#o.refreshWaitMs);
      if (entry.abort.signal.aborted) return;
      if (ok) {
        failures = 0;
        continue;
      }
      if (entry.lostContactAt === 0) entry.lostContactAt = Date.now();
      failures++;
      const pause = Math.min(this.#o.maxBackoffMs, 2 ** Math.min(failures, 16) * 50);
      await sleep(pause, entry.abort.signal);
    }
  }

  #waitForChange(entry: Entry, minIndex: number, waitMs: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        entry.waiters.delete(check);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const check = () => {
        if (entry.index > minIndex) done();
        else entry.waiters.add(check);
      };
      // Consul adds up to wait/16 of jitter; a timed-out wait answers the current result.
      const timer = setTimeout(done, waitMs + Math.random() * (waitMs / 16));
      signal.addEventListener('abort', done, { once: true });
      entry.waiters.add(check);
    });
  }

  #drop(entry: Entry): void {
    entry.abort.abort();
    const waiters = [...entry.waiters];
    entry.waiters.clear();
    for (const w of waiters) w();
  }
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** The cache key: the path, the result-shaping parameters (sorted) and the token. */
function cacheKey(path: string, query: URLSearchParams, token: string): string {
  const kept = [...query.entries()].filter(([k]) => !PER_READ.has(k)).sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1));
  return `${path}?${new URLSearchParams(kept).toString()}#${token}`;
}

/** What the cache asks the servers: the same read, any server may answer (Consul's AllowStale). */
function fetchPath(path: string, query: URLSearchParams): string {
  const kept = [...query.entries()].filter(([k]) => !PER_READ.has(k));
  const q = new URLSearchParams(kept);
  q.append('stale', '');
  return `${path}?${q.toString()}`;
}

function indexParam(q: URLSearchParams): number | null {
  const raw = q.get('index');
  if (raw === null || raw === '') return 0;
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) return null;
  return Number(raw);
}

function waitParam(q: URLSearchParams, defaultMs: number, maxMs: number): number | null {
  const raw = q.get('wait');
  if (raw === null || raw === '') return defaultMs;
  const ms = parseDuration(raw);
  if (ms === undefined || ms < 0) return null;
  return Math.min(ms, maxMs);
}

function plain(res: ServerResponse, status: number, body: string): void {
  if (res.headersSent || res.destroyed) return;
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
