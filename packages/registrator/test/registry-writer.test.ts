import test from 'ava';
import { pino } from 'pino';
import type { Backend, RegistryEntry } from '../src/backend.js';
import { RegistratorMetrics } from '../src/metrics.js';
import { type DesiredService, toDesired } from '../src/registration.js';
import { RegistryWriter } from '../src/registry-writer.js';

/** A registry in memory that can be switched off. */
class MemoryBackend implements Backend {
  readonly kind = 'memory';
  up = true;
  readonly services = new Map<string, DesiredService>();
  readonly calls: string[] = [];
  async ping(): Promise<void> {}
  async register(s: DesiredService): Promise<void> {
    this.calls.push(`register ${s.id}`);
    if (!this.up) throw new Error('connection refused');
    this.services.set(s.id, s);
  }
  async deregister(id: string): Promise<void> {
    this.calls.push(`deregister ${id}`);
    if (!this.up) throw new Error('connection refused');
    this.services.delete(id);
  }
  async entries(): Promise<RegistryEntry[]> {
    return [...this.services.values()].map((s) => ({ id: s.id, name: s.name, marked: true }));
  }
  async heartbeat(checkId: string, status: string): Promise<boolean> {
    this.calls.push(`check ${checkId} ${status}`);
    if (!this.up) throw new Error('connection refused');
    return [...this.services.values()].some((s) => s.sidecarCheck?.id === checkId);
  }
}

const svc = (id: string, port = 80, containerId = 'c1'): DesiredService =>
  toDesired({ id, name: 'web', address: '10.0.0.7', port, tags: [], meta: {}, containerId, containerName: 'web1' }, { ttl: 0 });

function writer(backend: Backend, retryIntervalMs = 50) {
  return new RegistryWriter({ backend, logger: pino({ level: 'silent' }), metrics: new RegistratorMetrics(), retryIntervalMs });
}

test('registers new services, re-registers changed ones, deregisters removed ones, and skips unchanged ones', async (t) => {
  const b = new MemoryBackend();
  const w = writer(b);
  w.setContainer('c1', [svc('a'), svc('b')]);
  await w.settled();
  w.setContainer('c1', [svc('a'), svc('b')]);
  w.setContainer('c1', [svc('a', 81)]);
  await w.settled();
  t.deepEqual([...b.services.keys()], ['a']);
  t.is(b.services.get('a')?.port, 81);
  t.deepEqual(b.calls, ['register a', 'register b', 'register a', 'deregister b']);
});

test('a registry outage loses neither registrations nor deregistrations', async (t) => {
  const b = new MemoryBackend();
  const w = writer(b);
  w.setContainer('c1', [svc('a')]);
  await w.settled();
  b.up = false;
  w.setContainer('c1', []);
  w.setContainer('c2', [svc('b', 80, 'c2')]);
  await new Promise((r) => setTimeout(r, 200));
  t.deepEqual([...b.services.keys()], ['a']);
  t.true(b.calls.filter((c) => c === 'register b').length >= 2, 'retried');
  b.up = true;
  await w.settled();
  t.deepEqual([...b.services.keys()], ['b']);
  w.stop();
});

test('a service that failed to register is still deregistered when its container goes', async (t) => {
  const b = new MemoryBackend();
  b.up = false;
  const w = writer(b, 20);
  w.setContainer('c1', [svc('a')]);
  await new Promise((r) => setTimeout(r, 30));
  w.setContainer('c1', []);
  b.up = true;
  await w.settled();
  t.is(b.services.size, 0);
  t.is(b.calls.at(-1), 'deregister a');
});

test('strays are removed and lost registrations written again', async (t) => {
  const b = new MemoryBackend();
  const w = writer(b);
  w.setContainer('c1', [svc('a')]);
  await w.settled();
  b.services.delete('a');
  b.services.set('old', svc('old'));
  w.removeStray('old', 'web');
  w.reRegister(['a']);
  await w.settled();
  t.deepEqual([...b.services.keys()], ['a']);
});

test('two containers claiming one ID: removing the one that lost leaves the winner', async (t) => {
  const b = new MemoryBackend();
  const w = writer(b);
  w.setContainer('c1', [svc('x', 80, 'c1')]);
  w.setContainer('c2', [svc('x', 81, 'c2')]);
  w.setContainer('c1', []);
  await w.settled();
  t.is(b.services.get('x')?.port, 81);
});

test('a Docker health change updates the sidecar check without registering again', async (t) => {
  const b = new MemoryBackend();
  const w = writer(b);
  const spec = { id: 'h', name: 'web', address: '10.0.0.7', port: 80, tags: [], meta: {}, containerId: 'c1', containerName: 'web1' };
  w.setContainer('c1', [toDesired(spec, { ttl: 0, health: 'starting' })]);
  await w.settled();
  w.setContainer('c1', [toDesired(spec, { ttl: 0, health: 'healthy' })]);
  await w.settled();
  t.deepEqual(b.calls, ['register h', 'check service:h:sidecar critical', 'check service:h:sidecar passing']);
});
