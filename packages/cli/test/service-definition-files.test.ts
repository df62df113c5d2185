import test from 'ava';
import { servicesFromConfig } from '../src/commands/services/service-files.js';

test('snake_case, camelCase and PascalCase keys all map to the API names', (t) => {
  const [svc] = servicesFromConfig(
    {
      service: {
        name: 'web',
        ID: 'web-1',
        enableTagOverride: true,
        tagged_addresses: { lan: { address: '10.0.0.1', port: 80 } },
        weights: { passing: 3, warning: 1 },
        check: { id: 'c1', http: 'http://localhost/health', interval: '10s', deregister_critical_service_after: '90m' },
      },
    },
    'f.json',
  );
  t.deepEqual(svc, {
    Name: 'web',
    ID: 'web-1',
    EnableTagOverride: true,
    TaggedAddresses: { lan: { Address: '10.0.0.1', Port: 80 } },
    Weights: { Passing: 3, Warning: 1 },
    Check: { CheckID: 'c1', HTTP: 'http://localhost/health', Interval: '10s', DeregisterCriticalServiceAfter: '90m' },
  });
});

test('meta and header keys are kept as written', (t) => {
  const [svc] = servicesFromConfig({ services: [{ name: 'a', meta: { Mixed_Case: 'v' }, checks: [{ ttl: '5s', header: { 'X-Thing': ['1'] } }] }] }, 'f.json');
  t.deepEqual(svc?.Meta, { Mixed_Case: 'v' });
  t.deepEqual(svc?.Checks, [{ TTL: '5s', Header: { 'X-Thing': ['1'] } }]);
});

test('a file without service definitions is an error', (t) => {
  t.throws(() => servicesFromConfig({ datacenter: 'dc1' }, 'f.json'), { message: /no "service" or "services"/ });
});

test('a service without a name is an error', (t) => {
  t.throws(() => servicesFromConfig({ service: { port: 80 } }, 'f.json'), { message: /missing "name"/ });
});
