import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { resolveAgentConfig, startAgent } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'concord-metrics-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
const telemetryFile = join(dir, 'telemetry.json');
writeFileSync(telemetryFile, JSON.stringify({ telemetry: { prometheus_retention_time: '1m' } }));

test('the metrics endpoint reports state gauges as JSON and as Prometheus text', async (t) => {
  const agent = await startAgent(resolveAgentConfig(['-dev', '-node', 'metrics1', '-http-port', '0', '-dns-port', '-1', '-log-level', 'error', '-config-file', telemetryFile]));
  t.teardown(() => agent.close());
  const base = `http://127.0.0.1:${agent.httpPort}`;
  for (let i = 0; i < 3; i++) {
    const put = await fetch(`${base}/v1/kv/m${i}`, { method: 'PUT', body: 'x' });
    t.is(await put.text(), 'true');
  }
  const res = await fetch(`${base}/v1/agent/metrics`);
  t.is(res.status, 200);
  const body = (await res.json()) as { Gauges: { Name: string; Value: number }[] };
  const last = body.Gauges.find((g) => g.Name === 'concord_state_last_index');
  t.truthy(last);
  t.true((last?.Value ?? 0) >= 4, 'node registration plus three puts');
  const prom = await fetch(`${base}/v1/agent/metrics?format=prometheus`);
  t.regex(await prom.text(), /^concord_state_last_index \d+$/m);
  const bad = await fetch(`${base}/v1/agent/metrics?format=xml`);
  t.is(bad.status, 400);
});
