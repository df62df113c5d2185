/**
 * HAProxy's own Consul recipe against the agent's DNS: `server-template` over SRV records, with
 * several instances of one service on 127.0.0.1 at different ports. Every instance must get
 * traffic, a new one within seconds, and a deregistered or critical one must stop getting it.
 */
import test, { type ExecutionContext } from 'ava';
import { type AgentProcess, startAgent } from '@concord/testkit';
import { type Backend, type Haproxy, hasHaproxy, spread, startBackend, startHaproxy } from './_haproxy.js';

// HAProxy is installed in CI (.ci/run); without it locally the test is skipped, never in CI.
const haproxyTest = hasHaproxy || process.env.CI ? test.serial : test.skip;

async function put(agent: AgentProcess, path: string, body?: object): Promise<void> {
  const res = await fetch(agent.base + path, {
    method: 'PUT',
    ...(body ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status !== 200) throw new Error(`PUT ${path}: ${res.status} ${await res.text()}`);
}

async function registerInstance(agent: AgentProcess, b: Backend, service = 'web'): Promise<void> {
  await put(agent, '/v1/agent/service/register', {
    ID: b.name,
    Name: service,
    Address: '127.0.0.1',
    Port: b.port,
    Check: { TTL: '10m', Status: 'passing' },
  });
}

/** Sends batches of requests until `ok(counts)` holds, for at most `timeoutMs`. */
async function until(t: ExecutionContext, lb: Haproxy, ok: (counts: Map<string, number>) => boolean, what: string, timeoutMs = 15_000): Promise<Map<string, number>> {
  const deadline = Date.now() + timeoutMs;
  let counts = new Map<string, number>();
  while (Date.now() < deadline) {
    counts = await spread(lb.port, 20);
    if (ok(counts)) return counts;
    await new Promise((r) => setTimeout(r, 200));
  }
  t.log(lb.output());
  throw new Error(`timed out waiting until ${what}; last spread ${JSON.stringify([...counts])}`);
}

async function setup(t: ExecutionContext, srvName: string, count: number): Promise<{ agent: AgentProcess; lb: Haproxy; backends: Backend[] }> {
  const agent = await startAgent(t, { dns: true });
  const backends: Backend[] = [];
  t.teardown(() => Promise.all(backends.map((b) => b.close())).then(() => undefined));
  for (let i = 0; i < count; i++) {
    const b = await startBackend(`web-${i}`);
    backends.push(b);
    await registerInstance(agent, b);
  }
  const lb = await startHaproxy({ dnsPort: agent.dnsPort, srvName, holdValid: '1s', resolveEvery: '1s' });
  t.teardown(() => lb.stop());
  return { agent, lb, backends };
}

haproxyTest('every instance sharing an address gets requests; a new one within seconds; deregistered and critical ones stop', async (t) => {
  const { agent, lb, backends } = await setup(t, '_web._tcp.service.consul', 3);
  const names = () => backends.map((b) => b.name);
  await until(t, lb, (c) => names().every((n) => (c.get(n) ?? 0) > 0), 'all three instances get requests');
  // The batch that first reached all three may hold requests sent before HAProxy's first
  // resolutions finished; once it has them all, no request fails.
  const all = await spread(lb.port, 30);
  t.is([...all.keys()].filter((k) => !names().includes(k)).length, 0, `no request fails: ${JSON.stringify([...all])}`);

  const added = await startBackend('web-3');
  backends.push(added);
  const registeredAt = Date.now();
  await registerInstance(agent, added);
  await until(t, lb, (c) => (c.get('web-3') ?? 0) > 0, 'the new instance gets requests', 10_000);
  t.log(`new instance served after ${Date.now() - registeredAt} ms`);

  await put(agent, '/v1/agent/service/deregister/web-0');
  await until(t, lb, (c) => !c.has('web-0'), 'the deregistered instance stops getting requests');
  await put(agent, '/v1/agent/check/fail/service:web-1?note=down');
  await until(t, lb, (c) => !c.has('web-1'), 'the critical instance stops getting requests');
  // and it stays that way while the others keep serving
  const after = await spread(lb.port, 40);
  t.false(after.has('web-0'));
  t.false(after.has('web-1'));
  t.true((after.get('web-2') ?? 0) > 0 && (after.get('web-3') ?? 0) > 0, JSON.stringify([...after]));
});

haproxyTest('a prepared query followed over SRV (RFC 2782 form) spreads requests over its instances', async (t) => {
  const { agent, lb, backends } = await setup(t, '_web-tagged._tcp.query.consul', 0);
  for (let i = 0; i < 3; i++) {
    const b = await startBackend(`q-${i}`);
    backends.push(b);
    await put(agent, '/v1/agent/service/register', {
      ID: b.name,
      Name: 'web',
      Tags: i === 2 ? ['canary'] : ['stable'],
      Address: '127.0.0.1',
      Port: b.port,
    });
  }
  const res = await fetch(`${agent.base}/v1/query`, {
    method: 'POST',
    body: JSON.stringify({ Name: 'web-tagged', Service: { Service: 'web', Tags: ['!canary'] }, DNS: { TTL: '1s' } }),
  });
  t.is(res.status, 200, await res.clone().text());
  const counts = await until(t, lb, (c) => (c.get('q-0') ?? 0) > 0 && (c.get('q-1') ?? 0) > 0, 'both stable instances get requests');
  t.false(counts.has('q-2'), 'the excluded tag gets nothing');
});
