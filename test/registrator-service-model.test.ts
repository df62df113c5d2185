/**
 * docs/registrator.md scenarios 1–3 and 5–8 against a dev agent and the Docker
 * daemon: what a `docker run` registers (IDs, names, ports, tags, Meta, UDP,
 * precedence), checked through the catalog, the agent and DNS.
 */
import { dockerTest, docker, imageRef, publishedPort, uniqueName } from './_docker.js';
import { HOST_IP, catalogHas, dnsSrv, goneWithin, run, servicesOfContainer, sleep, within, withSidecar } from './_registrator.js';

dockerTest('1. a published port is registered within 2 s, answers in DNS, and is gone within 2 s of docker stop', async (t) => {
  const { agent, api, sidecar } = await withSidecar(t);
  const web1 = uniqueName('web1');
  await run(t, sidecar, web1, ['-p', '80', '-e', 'SERVICE_NAME=web', imageRef('nginx')]);
  const port = await publishedPort(web1, '80/tcp');
  const [entry] = await catalogHas(api, 'web', 1);
  t.is(entry?.ServiceID, `node7:${web1}:80`);
  t.is(entry?.ServicePort, port);
  t.is(entry?.ServiceAddress, HOST_IP);
  const srv = await within(2000, 'DNS answer', async () => (await dnsSrv(agent, 'web')).find((r) => r.port === port));
  t.is(srv.port, port);
  await docker(['stop', web1]);
  await goneWithin(api, 'web', `node7:${web1}:80`);
  t.deepEqual(await dnsSrv(agent, 'web'), []);
});

dockerTest('2. -P: the default name is the image base name and the port is the one Docker chose', async (t) => {
  const { api, sidecar } = await withSidecar(t);
  const r1 = uniqueName('r1');
  await run(t, sidecar, r1, ['-P', imageRef('redis')]);
  const [entry] = await catalogHas(api, 'redis', 1);
  t.is(entry?.ServicePort, await publishedPort(r1, '6379/tcp'));
  t.is(entry?.ServiceID, `node7:${r1}:6379`);
});

dockerTest('3. several ports: <image>-<port>, SERVICE_NAME-<port>, and SERVICE_<port>_NAME as is', async (t) => {
  const { api, sidecar } = await withSidecar(t);
  const plain = uniqueName('n');
  const named = uniqueName('n');
  const mixed = uniqueName('n');
  await Promise.all([
    run(t, sidecar, plain, ['-p', '80', '-p', '443', imageRef('nginx')]),
    run(t, sidecar, named, ['-p', '80', '-p', '443', '-e', 'SERVICE_NAME=web', imageRef('nginx')]),
    run(t, sidecar, mixed, ['-p', '80', '-p', '443', '-e', 'SERVICE_NAME=www', '-e', 'SERVICE_443_NAME=https', imageRef('nginx')]),
  ]);
  const ports = async (c: string) => [await publishedPort(c, '80/tcp'), await publishedPort(c, '443/tcp')];
  const [p80, p443] = await ports(plain);
  t.is((await catalogHas(api, 'nginx-80', 1))[0]?.ServicePort, p80);
  t.is((await catalogHas(api, 'nginx-443', 1))[0]?.ServicePort, p443);
  await catalogHas(api, 'web-80', 1);
  await catalogHas(api, 'web-443', 1);
  const [m80, m443] = await ports(mixed);
  t.is((await catalogHas(api, 'www-80', 1))[0]?.ServicePort, m80);
  t.is((await catalogHas(api, 'https', 1))[0]?.ServicePort, m443);
  t.deepEqual((await catalogHas(api, 'www-443', 0, 100)).length, 0);
});

dockerTest('5. SERVICE_IGNORE registers nothing; SERVICE_443_IGNORE drops one port, the other keeps its -80 suffix', async (t) => {
  const { api, sidecar } = await withSidecar(t);
  const ignored = uniqueName('ign');
  const half = uniqueName('half');
  const notIgnored = uniqueName('nign');
  await Promise.all([
    run(t, sidecar, ignored, ['-p', '80', '-e', 'SERVICE_IGNORE=true', imageRef('nginx')]),
    run(t, sidecar, half, ['-p', '80', '-p', '443', '-e', 'SERVICE_443_IGNORE=1', imageRef('nginx')]),
    run(t, sidecar, notIgnored, ['-p', '80', '-e', 'SERVICE_IGNORE=false', '-e', 'SERVICE_NAME=kept', imageRef('nginx')]),
  ]);
  const [entry] = await catalogHas(api, 'nginx-80', 1);
  t.is(entry?.ServiceID, `node7:${half}:80`);
  await catalogHas(api, 'kept', 1);
  await sleep(3000);
  t.deepEqual(await servicesOfContainer(api, ignored), []);
  t.deepEqual(await servicesOfContainer(api, half), [`node7:${half}:80`]);
});

dockerTest('6. SERVICE_TAGS with an escaped comma plus -tags, and SERVICE_REGION as Meta', async (t) => {
  const { api, sidecar } = await withSidecar(t, { tags: 'dc1' });
  const c = uniqueName('tags');
  await run(t, sidecar, c, ['-p', '80', '-e', 'SERVICE_NAME=tagged', '-e', 'SERVICE_TAGS=a,b\\,c', '-e', 'SERVICE_REGION=us-east', imageRef('busybox')]);
  // busybox exposes nothing by itself; -p 80 exposes and publishes it.
  const [entry] = await catalogHas(api, 'tagged', 1);
  t.deepEqual(new Set(entry?.ServiceTags), new Set(['a', 'b,c', 'dc1']));
  t.is(entry?.ServiceMeta?.region, 'us-east');
});

dockerTest('7. a UDP port: ID ends in :udp, tags contain udp, the published port is registered', async (t) => {
  const { api, sidecar } = await withSidecar(t);
  const dns1 = uniqueName('dns1');
  await run(t, sidecar, dns1, ['-p', '53/udp', '-e', 'SERVICE_NAME=dns', imageRef('busybox')]);
  const [entry] = await catalogHas(api, 'dns', 1);
  t.is(entry?.ServiceID, `node7:${dns1}:53:udp`);
  t.true(entry?.ServiceTags.includes('udp'));
  t.is(entry?.ServicePort, await publishedPort(dns1, '53/udp'));
});

dockerTest('8. labels beat env; SERVICE_80_NAME beats SERVICE_NAME', async (t) => {
  const { api, sidecar } = await withSidecar(t);
  const both = uniqueName('prec');
  const port = uniqueName('prec');
  await Promise.all([
    run(t, sidecar, both, ['-p', '80', '-e', 'SERVICE_NAME=fromenv', '-l', 'SERVICE_NAME=fromlabel', imageRef('nginx')]),
    run(t, sidecar, port, ['-p', '80', '-e', 'SERVICE_NAME=a', '-e', 'SERVICE_80_NAME=b', imageRef('nginx')]),
  ]);
  t.is((await catalogHas(api, 'fromlabel', 1))[0]?.ServiceID, `node7:${both}:80`);
  t.is((await catalogHas(api, 'b', 1))[0]?.ServiceID, `node7:${port}:80`);
  t.is((await catalogHas(api, 'fromenv', 0, 100)).length, 0);
  t.is((await catalogHas(api, 'a', 0, 100)).length, 0);
});
