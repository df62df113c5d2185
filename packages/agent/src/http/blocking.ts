import { badRequest } from './http-error.js';
import { type RequestContext, flag } from './request.js';

import type { Consistency } from '../rpc/query-options.js';

export type { Consistency };
export type { QuerySource } from '../rpc/blocking.js';

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
