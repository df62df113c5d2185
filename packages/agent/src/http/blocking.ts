import type { QueryResult } from '@concord/state';
import { badRequest } from './http-error.js';
import { type RequestContext, flag, uintParam, waitParam } from './request.js';

export type Consistency = 'leader' | 'stale' | 'consistent';

/** What a blocking read needs from the agent. */
export interface QuerySource {
  /** Registers a one-shot watch on topics; returns a cancel function. */
  watch(topics: readonly string[], cb: () => void): () => void;
  defaultQueryTimeMs: number;
  maxQueryTimeMs: number;
  /** Random number in [0, 1) for the wait jitter (injectable for tests). */
  random(): number;
}

/** `?stale` and `?consistent` are exclusive; `?leader` or nothing means the default mode. */
export function consistencyOf(q: URLSearchParams): Consistency {
  const stale = flag(q, 'stale') || q.has('max_stale');
  const consistent = flag(q, 'consistent');
  if (stale && consistent) throw badRequest('Cannot specify ?stale with ?consistent, conflicting semantics.');
  return stale ? 'stale' : consistent ? 'consistent' : 'leader';
}

/**
 * Runs `run`; with `?index=N` it holds the request while the result's index is <= N, waking
 * only when a watched topic changes, until `?wait` (plus up to wait/16 jitter) runs out.
 */
export async function blockingQuery<T>(
  ctx: RequestContext,
  source: QuerySource,
  run: () => QueryResult<T>,
): Promise<QueryResult<T>> {
  const minIndex = uintParam(ctx.query, 'index', 'Invalid index') ?? 0;
  const waitMs = waitParam(ctx.query, source.defaultQueryTimeMs, source.maxQueryTimeMs);
  let result = run();
  if (minIndex === 0 || result.index > minIndex) return result;
  const deadline = Date.now() + waitMs + source.random() * (waitMs / 16);
  while (result.index <= minIndex) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    const topics = result.topics;
    const woke = await waitForChange(ctx, remaining, (cb) => source.watch(topics, cb));
    if (ctx.res.destroyed || ctx.res.writableEnded) return result;
    result = run();
    if (!woke) break;
  }
  return result;
}

/**
 * Waits until `watch` fires (true), or `ms` pass or the client goes away (false); the watch and
 * the timer are released either way.
 */
export function waitForChange(ctx: RequestContext, ms: number, watch: (cb: () => void) => () => void): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    let cancel: () => void = () => {};
    const done = (changed: boolean): void => {
      clearTimeout(timer);
      cancel();
      ctx.res.off('close', onClose);
      resolve(changed);
    };
    const onClose = (): void => done(false);
    const timer = setTimeout(() => done(false), ms);
    cancel = watch(() => done(true));
    ctx.res.once('close', onClose);
  });
}

export interface QueryMeta {
  index: number;
  knownLeader: boolean;
  lastContactMs: number;
  consistency: Consistency;
}

/** The X-Consul-* headers of every read, also set on a KV 404. The index is never 0. */
export function setQueryHeaders(ctx: RequestContext, meta: QueryMeta): void {
  const res = ctx.res;
  res.setHeader('X-Consul-Index', String(Math.max(1, meta.index)));
  res.setHeader('X-Consul-KnownLeader', meta.knownLeader ? 'true' : 'false');
  res.setHeader('X-Consul-LastContact', String(Math.max(0, Math.round(meta.lastContactMs))));
  res.setHeader('X-Consul-Effective-Consistency', meta.consistency);
}
