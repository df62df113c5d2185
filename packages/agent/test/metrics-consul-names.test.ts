import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Resolver } from 'node:dns/promises';
import test from 'ava';
import { type AgentProcess, call, fileScope, startAgent, tempDir } from './_agent.js';

const scope = fileScope((fn) => test.after.always(fn));
const host = hostname()
  .replace(/\./g, '_')
  .replace(/[^a-zA-Z0-9_:]/g, '_');

function configFile(telemetry: Record<string, unknown>): string {
  const p = join(tempDir(scope), 'telemetry.json');
  writeFileSync(p, JSON.stringify({ telemetry }));
  return p;
}

let agent: AgentProcess;

test.before(async () => {
  agent = await startAgent(scope, { dns: true, extraArgs: ['-config-file', configFile({ prometheus_retention_time: '2m' })] });
  await call(agent, 'PUT', '/v1/kv/metric-a', 'x');
  await call(agent, 'GET', '/v1/kv/metric-a');
  await call(agent, 'PUT', '/v1/txn', [{ KV: { Verb: 'set', Key: 'metric-b', Value: 'eA==' } }]);
  await call(agent, 'PUT', '/v1/catalog/register', { Node: 'metric-node', Address: '10.1.2.3', Service: { Service: 'metric-svc' } });
  await call(agent, 'GET', '/v1/health/service/metric-svc');
  const resolver = new Resolver({ timeout: 3000, tries: 2 });
  resolver.setServers([`127.0.0.1:${agent.dnsPort}`]);
  await resolver.resolve4('metric-svc.service.consul');
});

/** The value of a sample line `name{labels} value` (or `name value`). */
function value(text: string, line: string): number {
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? Number.NaN : Number(found.slice(line.length + 1));
}

test("Prometheus output has Consul's metric names, types and labels", async (t) => {
  const r = await call(agent, 'GET', '/v1/agent/metrics?format=prometheus');
  t.is(r.status, 200);
  t.regex(r.headers.get('content-type') ?? '', /^text\/plain/);
  const text = r.text;
  const types: [string, string][] = [
    ['consul_raft_apply', 'counter'],
    ['consul_raft_state_leader', 'counter'],
    ['consul_raft_commitTime', 'summary'],
    ['consul_kvs_apply', 'summary'],
    ['consul_txn_apply', 'summary'],
    ['consul_catalog_register', 'summary'],
    ['consul_http_GET_v1_kv__', 'summary'],
    ['consul_http_PUT_v1_txn', 'summary'],
    ['consul_http_GET_v1_health_service__', 'summary'],
    ['consul_api_http', 'summary'],
    ['consul_dns_domain_query', 'summary'],
    ['consul_runtime_gc_pause_ns', 'summary'],
    [`consul_${host}_runtime_alloc_bytes`, 'gauge'],
    [`consul_${host}_runtime_sys_bytes`, 'gauge'],
    [`consul_${host}_memberlist_health_score`, 'gauge'],
    [`consul_${host}_state_nodes`, 'gauge'],
    [`consul_${host}_state_services`, 'gauge'],
    [`consul_${host}_autopilot_healthy`, 'gauge'],
    [`consul_${host}_autopilot_failure_tolerance`, 'gauge'],
  ];
  for (const [name, type] of types) t.regex(text, new RegExp(`^# TYPE ${name} ${type}$`, 'm'), name);
  t.true(value(text, 'consul_raft_apply') >= 3);
  t.is(value(text, 'consul_raft_state_leader'), 1);
  for (const q of ['0.5', '0.9', '0.99']) t.false(Number.isNaN(value(text, `consul_raft_commitTime{quantile="${q}"}`)));
  t.true(value(text, 'consul_raft_commitTime_count') >= 3);
  t.is(value(text, 'consul_kvs_apply_count'), 1);
  t.is(value(text, 'consul_txn_apply_count'), 1);
  t.true(value(text, 'consul_catalog_register_count') >= 1);
  t.is(value(text, 'consul_http_GET_v1_kv___count'), 1);
  t.is(value(text, 'consul_api_http_count{method="PUT",path="v1_txn"}'), 1);
  t.is(value(text, `consul_dns_domain_query_count{node="${agent.node}"}`), 1);
  t.true(value(text, `consul_${host}_runtime_alloc_bytes`) > 0);
  t.true(value(text, `consul_${host}_state_nodes`) >= 2, 'this agent and metric-node');
  t.is(value(text, `consul_${host}_autopilot_healthy`), 1);
  // Concord's own metrics keep their names.
  t.regex(text, /^concord_state_last_index \d+$/m);
});

test("the JSON form has go-metrics' shape: Timestamp, Gauges, Points, Counters and Samples with aggregates", async (t) => {
  const body = (await call(agent, 'GET', '/v1/agent/metrics')).json<{
    Timestamp: string;
    Gauges: { Name: string; Value: number; Labels: Record<string, string> }[];
    Points: unknown[];
    Counters: { Name: string; Count: number; Rate: number; Sum: number; Min: number; Max: number; Mean: number; Stddev: number; Labels: Record<string, string> }[];
    Samples: { Name: string; Count: number; Sum: number; Min: number; Max: number; Mean: number; Labels: Record<string, string> }[];
  }>();
  t.regex(body.Timestamp, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC$/);
  t.deepEqual(body.Points, []);
  t.true(body.Gauges.some((g) => g.Name === `consul.${host}.runtime.alloc_bytes` && g.Value > 0));
  // Counters and samples cover the current 10 s interval: make fresh ones now.
  await call(agent, 'PUT', '/v1/kv/metric-json', 'y');
  const again = (await call(agent, 'GET', '/v1/agent/metrics')).json<typeof body>();
  const apply = again.Counters.find((c) => c.Name === 'consul.raft.apply');
  t.truthy(apply);
  t.like(apply, { Labels: {} });
  t.true((apply?.Count ?? 0) >= 1 && (apply?.Sum ?? 0) >= 1);
  for (const k of ['Rate', 'Min', 'Max', 'Mean', 'Stddev'] as const) t.is(typeof apply?.[k], 'number', k);
  const kvs = again.Samples.find((s) => s.Name === 'consul.kvs.apply');
  t.truthy(kvs);
  t.true((kvs?.Count ?? 0) >= 1 && (kvs?.Max ?? 0) >= (kvs?.Min ?? 0));
  const http = again.Samples.find((s) => s.Name === 'consul.api.http' && s.Labels.method === 'PUT' && s.Labels.path === 'v1_kv_');
  t.true((http?.Count ?? 0) >= 1);
  t.truthy(http, JSON.stringify(again.Samples.map((s) => [s.Name, s.Labels])));
});

test('telemetry: without prometheus_retention_time Prometheus output is refused as Consul does; disable_hostname and metrics_prefix rename', async (t) => {
  const plain = await startAgent(scope);
  const off = await call(plain, 'GET', '/v1/agent/metrics?format=prometheus');
  t.is(off.status, 415);
  t.is(off.text, 'Prometheus is not enabled since its retention time is not positive');
  t.is((await call(plain, 'GET', '/v1/agent/metrics')).status, 200);

  const renamed = await startAgent(scope, {
    extraArgs: ['-config-file', configFile({ prometheus_retention_time: '30s', disable_hostname: true, metrics_prefix: 'acme' })],
  });
  await call(renamed, 'PUT', '/v1/kv/renamed', 'x');
  const text = (await call(renamed, 'GET', '/v1/agent/metrics?format=prometheus')).text;
  t.regex(text, /^acme_runtime_alloc_bytes \d+/m);
  t.regex(text, /^acme_raft_apply \d+$/m);
  t.regex(text, /^acme_kvs_apply_count 1$/m);
  t.notRegex(text, /^consul_/m);
  t.notRegex(text, new RegExp(`^acme_${host}_`, 'm'));
});
