import test from 'ava';
import { buildServices, imageBaseName } from '../src/service-model.js';
import { inspectOf, NODE7 } from './_inspect.js';

const build = (c: Parameters<typeof inspectOf>[0], ctx = NODE7) => buildServices(inspectOf(c), ctx).services;
const brief = (c: Parameters<typeof inspectOf>[0], ctx = NODE7) =>
  build(c, ctx).map((s) => ({ id: s.id, name: s.name, address: s.address, port: s.port, tags: [...s.tags].sort() }));

test('a published port becomes <host>:<container>:<port> named after the image, at -ip and the host port', (t) => {
  t.deepEqual(brief({ name: 'redis.0', image: 'redis', ports: { '6379/tcp': '10000' } }), [
    { id: 'node7:redis.0:6379', name: 'redis', address: '10.0.0.7', port: 10000, tags: [] },
  ]);
});

test('SERVICE_NAME, SERVICE_TAGS and other SERVICE_ keys become name, tags and Meta', (t) => {
  const [s] = build({
    name: 'redis.0',
    image: 'redis',
    ports: { '6379/tcp': '10000' },
    env: { SERVICE_NAME: 'db', SERVICE_TAGS: 'master,backups', SERVICE_REGION: 'us2' },
  });
  t.is(s?.name, 'db');
  t.deepEqual(s?.tags, ['master', 'backups']);
  t.deepEqual(s?.meta, { region: 'us2' });
});

test('several ports get a -<port> suffix; port-specific names, IDs and keys win', (t) => {
  t.deepEqual(
    brief({ name: 'nginx.0', ports: { '443/tcp': '4443', '80/tcp': '8000' } }).map((s) => [s.name, s.port]),
    [
      ['nginx-80', 8000],
      ['nginx-443', 4443],
    ],
  );
  const services = build({
    name: 'nginx.0',
    ports: { '443/tcp': '4443', '80/tcp': '8000' },
    env: { SERVICE_443_NAME: 'https', SERVICE_443_ID: 'https.12345', SERVICE_443_SNI: 'enabled', SERVICE_80_NAME: 'http', SERVICE_TAGS: 'www' },
  });
  t.deepEqual(
    services.map((s) => [s.id, s.name, s.port, s.tags, s.meta]),
    [
      ['node7:nginx.0:80', 'http', 8000, ['www'], {}],
      ['https.12345', 'https', 4443, ['www'], { sni: 'enabled' }],
    ],
  );
  t.deepEqual(
    brief({ name: 'n', ports: { '443/tcp': '4443', '80/tcp': '8000' }, env: { SERVICE_NAME: 'web', SERVICE_443_NAME: 'https' } }).map((s) => s.name),
    ['web-80', 'https'],
  );
});

test('UDP ports get :udp in the ID and a udp tag, the name unchanged', (t) => {
  t.deepEqual(brief({ name: 'dns1', image: 'coredns/coredns', ports: { '53/udp': '5353' }, env: { SERVICE_NAME: 'dns' } }), [
    { id: 'node7:dns1:53:udp', name: 'dns', address: '10.0.0.7', port: 5353, tags: ['udp'] },
  ]);
});

test('exposed-only ports register nothing, except with -internal (container IP and port)', (t) => {
  const c = { name: 'w', image: 'app', exposed: ['9000/tcp'], ports: { '9000/tcp': null } };
  t.deepEqual(build(c), []);
  t.deepEqual(brief(c, { ...NODE7, internal: true }), [{ id: 'node7:w:9000', name: 'app', address: '172.17.0.5', port: 9000, tags: [] }]);
});

test('SERVICE_IGNORE skips; an ignored sibling still forces the -<port> suffix; false does not ignore', (t) => {
  t.deepEqual(build({ name: 'a', ports: { '80/tcp': '8000' }, env: { SERVICE_IGNORE: 'true' } }), []);
  t.deepEqual(
    brief({ name: 'a', ports: { '80/tcp': '8000', '443/tcp': '4443' }, env: { SERVICE_443_IGNORE: '1' } }).map((s) => s.name),
    ['nginx-80'],
  );
  t.is(build({ name: 'a', ports: { '80/tcp': '8000' }, env: { SERVICE_IGNORE: 'false' } }).length, 1);
});

test('labels beat env, port-specific beats generic', (t) => {
  t.is(build({ name: 'a', ports: { '80/tcp': '8080' }, env: { SERVICE_NAME: 'fromenv' }, labels: { SERVICE_NAME: 'fromlabel' } })[0]?.name, 'fromlabel');
  t.is(build({ name: 'a', ports: { '80/tcp': '8080' }, env: { SERVICE_NAME: 'a', SERVICE_80_NAME: 'b' } })[0]?.name, 'b');
  t.is(build({ name: 'a', ports: { '80/tcp': '8080' }, env: { SERVICE_80_NAME: 'b' }, labels: { SERVICE_NAME: 'a' } })[0]?.name, 'b');
});

test('-explicit skips ports without a name; -tags are appended; escaped commas stay', (t) => {
  t.deepEqual(build({ name: 'a', ports: { '80/tcp': '8080' } }, { ...NODE7, explicit: true }), []);
  const [s] = build({ name: 'a', ports: { '80/tcp': '8080' }, env: { SERVICE_TAGS: 'a,b\\,c' } }, { ...NODE7, extraTags: ['dc1'] });
  t.deepEqual(s?.tags, ['a', 'b,c', 'dc1']);
});

test('a bind to a specific host address is kept; all-interfaces uses the host address', (t) => {
  const ctx = { ...NODE7, forcedIp: undefined };
  t.is(build({ name: 'a', ports: { '80/tcp': { HostIp: '10.1.2.3', HostPort: '8080' } } }, ctx)[0]?.address, '10.1.2.3');
  t.is(build({ name: 'a', ports: { '80/tcp': '8080' } }, ctx)[0]?.address, '10.0.0.7');
});

test('user-defined networks: host address with host port (no mixing); -internal picks SERVICE_NETWORK deterministically', (t) => {
  const c = { name: 'a', ports: { '80/tcp': '8080' }, networkMode: 'front', networks: { front: '10.5.0.2', back: '10.6.0.2' } };
  t.deepEqual(
    brief(c).map((s) => [s.address, s.port]),
    [['10.0.0.7', 8080]],
  );
  const internal = { ...NODE7, internal: true };
  t.is(build(c, internal)[0]?.address, '10.5.0.2');
  t.is(build({ ...c, env: { SERVICE_NETWORK: 'back' } }, internal)[0]?.address, '10.6.0.2');
  t.deepEqual(build({ ...c, env: { SERVICE_NETWORK: 'nope' } }, internal), []);
  const multi = { ...c, networkMode: 'default', networks: { zeta: '10.9.0.2', alpha: '10.8.0.2' } };
  t.is(build(multi, internal)[0]?.address, '10.8.0.2');
});

test('-useIpFromLabel takes the label value without its prefix length', (t) => {
  const [s] = build({ name: 'a', ports: { '80/tcp': '8080' }, labels: { 'io.ip': '10.42.1.7/16' } }, { ...NODE7, useIpFromLabel: 'io.ip' });
  t.is(s?.address, '10.42.1.7');
});

test('host-network containers register their exposed ports on the same number; none registers nothing', (t) => {
  t.deepEqual(
    brief({ name: 'h', image: 'app', exposed: ['7000/tcp'], networkMode: 'host' }).map((s) => [s.id, s.port]),
    [['node7:h:7000', 7000]],
  );
  t.deepEqual(build({ name: 'n', exposed: ['7000/tcp'], networkMode: 'none' }), []);
});

test('Meta keys that Consul would refuse are normalised or dropped', (t) => {
  const { services, notes } = buildServices(inspectOf({ name: 'a', ports: { '80/tcp': '8080' }, labels: { 'SERVICE_com.acme.x': '1', SERVICE_BIG: 'x'.repeat(600) } }), NODE7);
  t.deepEqual(services[0]?.meta, { com_acme_x: '1' });
  t.true(notes.some((n) => n.includes('big')));
});

test('image base names', (t) => {
  t.is(imageBaseName('registry:5000/team/api:1.2'), 'api');
  t.is(imageBaseName('nginx'), 'nginx');
  t.is(imageBaseName('nginx@sha256:abc'), 'nginx@sha256');
});
