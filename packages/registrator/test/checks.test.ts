import test from 'ava';
import { buildCheck, shellSplit } from '../src/checks.js';

const target = { ip: '10.0.0.7', port: 8080, containerId: 'abcdef0123456789', exposedPort: '80' };
const check = (attrs: Record<string, string>) => buildCheck(new Map(Object.entries(attrs)), target);

test('HTTP, HTTPS, TCP and gRPC checks point at the registered address', (t) => {
  t.deepEqual(check({ check_http: '/health', check_interval: '1s', check_timeout: '2s', check_http_method: 'HEAD' }), {
    HTTP: 'http://10.0.0.7:8080/health',
    Timeout: '2s',
    Method: 'HEAD',
    Interval: '1s',
  });
  t.deepEqual(check({ check_https: '/', check_tls_skip_verify: 'true' }), { HTTP: 'https://10.0.0.7:8080/', TLSSkipVerify: true, Interval: '10s' });
  t.deepEqual(check({ check_tcp: 'true' }), { TCP: '10.0.0.7:8080', Interval: '10s' });
  t.deepEqual(check({ check_grpc: 'true', check_grpc_use_tls: 'true' }), { GRPC: '10.0.0.7:8080', GRPCUseTLS: true, Interval: '10s' });
});

test('TTL checks have no interval; initial status and deregister-after apply to all', (t) => {
  t.deepEqual(check({ check_ttl: '30s', check_initial_status: 'passing', check_deregister_after: '5m' }), {
    TTL: '30s',
    Status: 'passing',
    DeregisterCriticalServiceAfter: '5m',
  });
  t.is(check({ check_tcp: '1', check_initial_status: 'bogus' })?.Status, undefined);
});

test('script checks run through a shell with the address substituted; docker checks split the command', (t) => {
  t.deepEqual(check({ check_script: 'curl -s $SERVICE_IP:$SERVICE_PORT' })?.Args, ['/bin/sh', '-c', 'curl -s 10.0.0.7:8080']);
  t.deepEqual(check({ check_docker: "wget -q -O- 'http://localhost/a b'" }), {
    DockerContainerID: 'abcdef012345',
    Shell: '/bin/sh',
    Args: ['wget', '-q', '-O-', 'http://localhost/a b'],
    Interval: '10s',
  });
  t.deepEqual(check({ check_cmd: '/bin/true' })?.Args, ['check-cmd', 'abcdef012345', '80', '/bin/true']);
});

test('first match wins and no settings mean no check', (t) => {
  t.truthy(check({ check_http: '/', check_tcp: '1' })?.HTTP);
  t.is(check({ region: 'x' }), undefined);
});

test('shellSplit honours quotes and escapes', (t) => {
  t.deepEqual(shellSplit(`a "b c" 'd e' f\\ g ""`), ['a', 'b c', 'd e', 'f g', '']);
});
