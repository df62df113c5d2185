/**
 * What the agent cache fetches: the same typed calls the HTTP endpoints make, answered as the
 * endpoint would answer (status, X-Consul-* headers, JSON body), so a cached answer is the
 * endpoint's own.
 */
import { parseDuration } from '@concord/goflags';
import type { AgentConfig } from '../config/config.js';
import { toHttpError } from '../http/http-error.js';
import type { CallOptions } from '../rpc/query-options.js';
import type { RpcRouter } from '../rpc/router.js';
import type { CacheFetcher, CachedFetch } from './agent-cache.js';

function decoded(segment: string): string {
  return decodeURIComponent(segment);
}

/** A `?passing` value as the health endpoint reads it. */
function passing(q: URLSearchParams): boolean {
  if (!q.has('passing')) return false;
  const v = (q.get('passing') ?? '').toLowerCase();
  return v === '' || v === '1' || v === 'true' || v === 't';
}

function optionsOf(q: URLSearchParams, headers: Record<string, string>, config: AgentConfig): CallOptions {
  const wait = q.get('wait');
  const index = Number(q.get('index') ?? 0);
  return {
    token: headers['x-consul-token'] ?? '',
    datacenter: (q.get('dc') ?? '').toLowerCase(),
    consistency: 'stale',
    minQueryIndex: Number.isSafeInteger(index) && index > 0 ? index : 0,
    maxQueryTimeMs: Math.min(wait ? (parseDuration(wait) ?? config.defaultQueryTimeMs) : config.defaultQueryTimeMs, config.maxQueryTimeMs),
    maxStaleMs: undefined,
    filter: q.get('filter') ?? '',
    nodeMeta: q.getAll('node-meta').map((p) => {
      const at = p.indexOf(':');
      return at === -1 ? [p, ''] : [p.slice(0, at), p.slice(at + 1)];
    }),
    near: q.get('near') === '_agent' ? config.nodeName : (q.get('near') ?? ''),
    originNode: config.nodeName,
    sourceIp: '',
    hops: 0,
  };
}

function answer(value: unknown, meta: { index: number; knownLeader: boolean; lastContactMs: number; consistency: string }): CachedFetch {
  return {
    status: 200,
    headers: {
      'content-type': 'application/json',
      'x-consul-index': String(Math.max(1, meta.index)),
      'x-consul-knownleader': meta.knownLeader ? 'true' : 'false',
      'x-consul-lastcontact': String(Math.max(0, Math.round(meta.lastContactMs))),
      'x-consul-effective-consistency': meta.consistency,
    },
    body: Buffer.from(JSON.stringify(value)),
  };
}

/** The cache's fetcher over typed calls, for the endpoints the cache serves. */
export function typedCacheFetcher(calls: RpcRouter, config: AgentConfig): CacheFetcher {
  return async (pathWithQuery, headers, _timeoutMs, signal) => {
    const at = pathWithQuery.indexOf('?');
    const path = at === -1 ? pathWithQuery : pathWithQuery.slice(0, at);
    const q = new URLSearchParams(at === -1 ? '' : pathWithQuery.slice(at + 1));
    try {
      const o = optionsOf(q, headers, config);
      if (path.startsWith('/v1/health/service/')) {
        const service = decoded(path.slice('/v1/health/service/'.length));
        const a = await calls.call('Health.ServiceNodes', { service, tags: q.getAll('tag'), passing: passing(q) }, o, signal);
        return answer(a.value, a.meta);
      }
      if (path.startsWith('/v1/catalog/service/')) {
        const service = decoded(path.slice('/v1/catalog/service/'.length));
        const a = await calls.call('Catalog.ServiceNodes', { service, tags: q.getAll('tag') }, o, signal);
        return answer(a.value, a.meta);
      }
      if (path === '/v1/catalog/services') {
        const a = await calls.call('Catalog.ListServices', {}, o, signal);
        return answer(a.value, a.meta);
      }
      return { status: 404, headers: {}, body: Buffer.alloc(0) };
    } catch (err) {
      const e = toHttpError(err);
      return { status: e.status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: Buffer.from(e.message) };
    }
  };
}
