import { badRequest } from './http-error.js';
import { type RequestContext, flag } from './request.js';

import type { Consistency } from '../rpc/query-options.js';

export type { Consistency };
export type { QuerySource } from '../rpc/blocking.js';
import { waitForChange as waitUntil } from '../rpc/blocking.js';

/** `?stale` and `?consistent` are exclusive; `?leader` or nothing means the default mode. */
export function consistencyOf(q: URLSearchParams): Consistency {
  const stale = flag(q, 'stale') || q.has('max_stale');
  const consistent = flag(q, 'consistent');
  if (stale && consistent) throw badRequest('Cannot specify ?stale with ?consistent, conflicting semantics.');
  return stale ? 'stale' : consistent ? 'consistent' : 'leader';
}

/**
 * Waits until `watch` fires (true), or `ms` pass or the client goes away (false); the watch and
 * the timer are released either way.
 */
export async function waitForChange(ctx: RequestContext, ms: number, watch: (cb: () => void) => () => void): Promise<boolean> {
  const gone = new AbortController();
  const onClose = (): void => gone.abort();
  ctx.res.once('close', onClose);
  try {
    return await waitUntil(ms, gone.signal, watch);
  } finally {
    ctx.res.off('close', onClose);
  }
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
