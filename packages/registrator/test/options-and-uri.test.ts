import test from 'ava';
import { RegistratorConfigError } from '../src/errors.js';
import { resolveOptions } from '../src/options.js';
import { parseRegistryUri } from '../src/registry-uri.js';

const registry = { kind: 'consul', address: '127.0.0.1:8500' } as const;

test('registry URIs', (t) => {
  t.deepEqual(parseRegistryUri('consul://10.0.0.1:8500'), { kind: 'consul', address: '10.0.0.1:8500' });
  t.deepEqual(parseRegistryUri('consul://', { CONSUL_HTTP_ADDR: '10.0.0.2:8500' }), { kind: 'consul', address: '10.0.0.2:8500' });
  t.deepEqual(parseRegistryUri('consul://', {}), { kind: 'consul', address: '127.0.0.1:8500' });
  t.deepEqual(parseRegistryUri('consul-tls://10.0.0.1:8501'), { kind: 'consul', address: 'https://10.0.0.1:8501' });
  t.deepEqual(parseRegistryUri('consul-tls://', { CONSUL_HTTP_ADDR: '10.0.0.2:8501' }), { kind: 'consul', address: 'https://10.0.0.2:8501' });
  t.deepEqual(parseRegistryUri('consulkv://h:8500/services/'), { kind: 'consulkv', address: 'h:8500', prefix: 'services' });
  t.throws(() => parseRegistryUri('consulkv://h:8500'), { instanceOf: RegistratorConfigError, message: /prefix/ });
  t.throws(() => parseRegistryUri('etcd://h:2379/x'), { instanceOf: RegistratorConfigError, message: /unrecognized adapter/ });
  t.throws(() => parseRegistryUri('not a uri'), { instanceOf: RegistratorConfigError, message: /bad adapter uri/ });
  t.throws(() => parseRegistryUri('consul://bad host:1'), { instanceOf: RegistratorConfigError, message: /bad adapter uri/ });
});

test("defaults are registrator's", (t) => {
  const o = resolveOptions({ registry });
  t.like(o, { ttl: 0, ttlRefresh: 0, resync: 0, retryAttempts: 0, retryInterval: 2000, deregister: 'always', cleanup: false, internal: false });
});

test('the start-up checks registrator makes', (t) => {
  const bad = (o: object, msg: RegExp) => t.throws(() => resolveOptions({ registry, ...o }), { instanceOf: RegistratorConfigError, message: msg });
  bad({ ttl: 10 }, /both 0/);
  bad({ ttlRefresh: 5 }, /both 0/);
  bad({ ttl: 5, ttlRefresh: 5 }, /greater than -ttl-refresh/);
  bad({ retryInterval: 0 }, /retry-interval/);
  bad({ retryAttempts: -2 }, /retry-attempts/);
  bad({ deregister: 'sometimes' }, /always.*on-success/);
  bad({ requireLabel: '=x' }, /label key/);
  t.notThrows(() => resolveOptions({ registry, ttl: 30, ttlRefresh: 10, retryAttempts: -1 }));
});
