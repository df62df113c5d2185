// HAProxy follow lag: a real `concord agent -dev` serving DNS, HAProxy following
// `_web._tcp.service.consul` with server-template (`hold valid 1s`), and a steady stream of
// requests through it. Each run registers a new instance over HTTP and times its first request,
// then deregisters it and times its last one. Every process is started and stopped by PID.
import { startAgent } from '@concord/testkit';

import { get, startBackend, startHaproxy } from '../test/dist/_haproxy.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function put(agent, path, body) {
  const res = await fetch(agent.base + path, { method: 'PUT', ...(body ? { body: JSON.stringify(body) } : {}) });
  if (res.status !== 200) throw new Error(`PUT ${path}: ${res.status} ${await res.text()}`);
}

export async function followLag({ runs = 10 } = {}) {
  const cleanups = [];
  const scope = { teardown: (fn) => cleanups.push(fn) };
  const seen = new Map(); // backend name -> { first, last }
  try {
    const agent = await startAgent(scope, { dns: true });
    const register = (b) => put(agent, '/v1/agent/service/register', { ID: b.name, Name: 'web', Address: '127.0.0.1', Port: b.port });
    const base = [];
    for (let i = 0; i < 2; i++) {
      const b = await startBackend(`base-${i}`);
      cleanups.push(() => b.close());
      base.push(b);
      await register(b);
    }
    const lb = await startHaproxy({ dnsPort: agent.dnsPort, srvName: '_web._tcp.service.consul', holdValid: '1s', resolveEvery: '1s' });
    cleanups.push(() => lb.stop());
    // steady load: a few requests in flight all the time, each answer stamped on arrival
    let loading = true;
    const worker = async () => {
      while (loading) {
        const who = await get(lb.port).catch(() => 'error');
        const now = Date.now();
        const s = seen.get(who);
        if (s) s.last = now;
        else seen.set(who, { first: now, last: now });
        await sleep(2);
      }
    };
    const workers = Array.from({ length: 4 }, worker);
    const deadline = Date.now() + 15_000;
    while (!(seen.has('base-0') && seen.has('base-1'))) {
      if (Date.now() > deadline) throw new Error(`HAProxy never served both base instances: ${lb.output()}`);
      await sleep(50);
    }
    const added = [];
    const removed = [];
    for (let r = 0; r < runs; r++) {
      const b = await startBackend(`new-${r}`);
      cleanups.push(() => b.close());
      const at = Date.now();
      await register(b);
      const until = Date.now() + 15_000;
      while (!seen.has(b.name) && Date.now() < until) await sleep(10);
      added.push((seen.get(b.name)?.first ?? Number.NaN) - at);
      const goneAt = Date.now();
      await put(agent, `/v1/agent/service/deregister/${b.name}`);
      await sleep(4000);
      removed.push(Math.max(0, (seen.get(b.name)?.last ?? goneAt) - goneAt));
    }
    loading = false;
    await Promise.all(workers);
    const pct = (p) => (xs) => {
      const s = [...xs].sort((a, b) => a - b);
      return s[Math.min(s.length - 1, Math.floor(s.length * p))];
    };
    return { added, removed, p50: pct(0.5), p90: pct(0.9) };
  } finally {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch {
        // best effort
      }
    }
  }
}
