/**
 * Consul's per-request HTTP timers (`api.http` with method and path labels, `http.<METHOD>.<path>`)
 * are named by the route a request reaches, so their number stays bounded: past the cap, new
 * (method, path) pairs share `other`; methods that are not HTTP's are not timed.
 */
import test from 'ava';
import { MAX_HTTP_TIMER_KEYS, RequestTimers } from '../src/http/request-timers.js';
import { Telemetry } from '../src/telemetry/telemetry.js';

interface Sample {
  Name: string;
  Count: number;
  Labels: Record<string, string>;
}

const samples = (t: Telemetry): Sample[] => t.json().Samples as Sample[];
const count = (all: Sample[], name: string, labels: Record<string, string> = {}): number =>
  all.filter((s) => s.Name === name && Object.entries(labels).every(([k, v]) => s.Labels[k] === v)).reduce((n, s) => n + s.Count, 0);

test('requests are timed under their route pattern, and paths without a route under their first segments', (t) => {
  const telemetry = new Telemetry();
  const timers = new RequestTimers(telemetry, (_m, path) => (path.startsWith('/v1/kv/') ? '/v1/kv/*' : undefined));
  const started = performance.now();
  timers.timerFor('GET', '/v1/kv/*', '/v1/kv/a')?.(started);
  timers.timerFor('GET', '/v1/kv/*', '/v1/kv/b/c')?.(started);
  timers.timerFor('PUT', '/v1/kv/*', '/v1/kv/a')?.(started);
  timers.timerFor('GET', undefined, '/v1/unknown/thing/deeper')?.(started);
  t.is(timers.timerFor('BREW', '/v1/kv/*', '/v1/kv/a'), undefined);
  const all = samples(telemetry);
  t.is(count(all, 'consul.http.GET.v1.kv._'), 2);
  t.is(count(all, 'consul.api.http', { method: 'GET', path: 'v1_kv_' }), 2);
  t.is(count(all, 'consul.http.PUT.v1.kv._'), 1);
  t.is(count(all, 'consul.http.GET.v1.unknown.thing._'), 1);
  t.is(all.filter((s) => s.Name.includes('BREW')).length, 0);
});

test('past the cap, new method and path pairs are timed as other, and the ones seen before keep their names', (t) => {
  const telemetry = new Telemetry();
  const timers = new RequestTimers(telemetry, () => undefined);
  const started = performance.now();
  timers.timerFor('GET', '/v1/kv/*', '/v1/kv/a')?.(started);
  for (let i = 0; i < MAX_HTTP_TIMER_KEYS + 10; i++) timers.timerFor('GET', undefined, `/v1/n${i}/x/y`)?.(started);
  timers.timerFor('GET', '/v1/kv/*', '/v1/kv/a')?.(started);
  const all = samples(telemetry);
  t.is(count(all, 'consul.http.GET.v1.kv._'), 2);
  // MAX - 1 distinct fallback paths fit beside the KV route; the rest are `other`.
  t.is(count(all, 'consul.http.GET.other'), MAX_HTTP_TIMER_KEYS + 10 - (MAX_HTTP_TIMER_KEYS - 1));
  t.is(count(all, 'consul.api.http', { method: 'GET', path: 'other' }), 11);
  const named = new Set(all.filter((s) => s.Name === 'consul.api.http').map((s) => s.Labels.path));
  t.is(named.size, MAX_HTTP_TIMER_KEYS + 1);
});
