/**
 * Debian's own Consul clients against real agents: python3-consul (`import consul`) for KV,
 * sessions and locks, agent/catalog/health and blocking index loops, and patroni's Consul DCS
 * class (the leader lock of a PostgreSQL HA cluster) driven directly, without PostgreSQL. Each
 * runs against a `-dev` agent and a durable single server. The Python scripts in test/python/
 * check the behaviour and exit non-zero naming the failed check.
 */
import test, { type ExecutionContext } from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AgentProcess, startAgent, tempDir } from '@concord/testkit';
import { canImport, runPython, summaryOf } from './_python.js';

// python3-consul and patroni are installed in CI (.ci/run); locally without them the tests are
// skipped, in CI they run and fail.
const hasPythonConsul = canImport('consul');
const hasPatroni = canImport('consul', 'patroni.dcs.consul');
const pyTest = hasPythonConsul || process.env.CI ? test.serial : test.skip;
const patroniTest = hasPatroni || process.env.CI ? test.serial : test.skip;

type Kind = 'dev' | 'durable';

/** An agent of `kind`, with session_ttl_min lowered to 1s so a session can expire within the test. */
async function agentFor(t: ExecutionContext, kind: Kind): Promise<AgentProcess> {
  const dir = tempDir(t, 'concord-pyclients-');
  const config = join(dir, 'sessions.json');
  writeFileSync(config, JSON.stringify({ session_ttl_min: '1s' }));
  return startAgent(t, { durable: kind === 'durable', extraArgs: ['-config-file', config] });
}

async function run<T>(t: ExecutionContext, agent: AgentProcess, script: string, timeoutMs?: number): Promise<T> {
  const res = await runPython(script, [String(agent.port)], timeoutMs);
  if (res.code !== 0) t.log(agent.output().slice(-3000));
  return summaryOf<T>(res);
}

for (const kind of ['dev', 'durable'] as const) {
  pyTest(`python-consul: KV get/put/delete/recurse/keys/cas/flags, sessions and acquire/release on a ${kind} agent`, async (t) => {
    const agent = await agentFor(t, kind);
    const out = await run<{ ok: boolean; node: string }>(t, agent, 'python_consul_kv_sessions.py');
    t.true(out.ok);
    t.is(out.node, agent.node);
  });

  pyTest(`python-consul: agent service/check registration, TTL updates, catalog and health reads on a ${kind} agent`, async (t) => {
    const agent = await agentFor(t, kind);
    t.true((await run<{ ok: boolean }>(t, agent, 'python_consul_catalog_agent.py')).ok);
  });

  pyTest(`python-consul: blocking index loops on unchanged data wait instead of spinning, and wake on a change, on a ${kind} agent`, async (t) => {
    const agent = await agentFor(t, kind);
    const out = await run<{ ok: boolean; requests: Record<string, number> }>(t, agent, 'python_consul_blocking.py', 120_000);
    t.true(out.ok);
    // three seconds of 1 s waits each: a handful of requests per loop, never a spin
    for (const [loop, count] of Object.entries(out.requests)) t.true(count >= 2 && count <= 5, `${loop}: ${count} requests`);
  });

  patroniTest(`patroni's Consul DCS: initialize, config cas, members, leader lock, watch, handover and TTL expiry on a ${kind} agent`, async (t) => {
    const agent = await agentFor(t, kind);
    const out = await run<{ ok: boolean; watch_requests: number; lock_lost_after_s: number }>(t, agent, 'patroni_consul_dcs.py', 120_000);
    t.true(out.ok);
    t.true(out.watch_requests <= 2, `watch sent ${out.watch_requests} requests`);
    // the session TTL is 5 s and Consul invalidates after twice that
    t.true(out.lock_lost_after_s >= 4 && out.lock_lost_after_s < 30, `lock lost after ${out.lock_lost_after_s} s`);
  });
}
