import { waitForChange } from './blocking.js';
import { type RequestContext, waitParam } from './request.js';

/** An agent-local answer identified by a hash of its content instead of a raft index. */
export interface HashedResult<T> {
  hash: string;
  value: T;
}

export interface HashQueryOptions {
  defaultQueryTimeMs: number;
  maxQueryTimeMs: number;
  /** Random number in [0, 1) for the wait jitter. */
  random(): number;
  /** Registers a one-shot callback for the next change of what `run` reads; returns a cancel function. */
  watch(cb: () => void): () => void;
}

/**
 * Consul's hash-based blocking for agent-local data (`?hash=<h>&wait=<d>`): without `?hash` it
 * answers at once; with it, the request is held while `run` still answers `h`, re-running it
 * whenever the watched data changes, until the wait (default `default_query_time`, at most
 * `max_query_time`, plus up to wait/16 jitter) runs out. `run` may throw (an unknown ID is a 404
 * at any point, also while waiting).
 */
export async function hashBlockingQuery<T>(ctx: RequestContext, options: HashQueryOptions, run: () => HashedResult<T>): Promise<HashedResult<T>> {
  const known = ctx.query.get('hash') ?? '';
  let waitMs = waitParam(ctx.query, options.defaultQueryTimeMs, options.maxQueryTimeMs);
  if (waitMs === 0) waitMs = options.defaultQueryTimeMs; // as Consul: a zero wait means the default
  let result = run();
  if (known === '' || result.hash !== known) return result;
  const deadline = Date.now() + waitMs + options.random() * (waitMs / 16);
  while (result.hash === known) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    const woke = await waitForChange(ctx, remaining, options.watch);
    if (ctx.res.destroyed || ctx.res.writableEnded) return result;
    result = run();
    if (!woke) break;
  }
  return result;
}
