/**
 * docs/registrator.md scenarios 4 and 9: exposed-only ports (ignored, or
 * registered at the container IP with -internal) and checks derived from
 * SERVICE_*_CHECK_* settings, run by the agent.
 */
import { startDevAgent } from './_agent.js';
import { docker, dockerTest, ensureTestImages, imageRef, publishedPort, uniqueName } from './_docker.js';
import { HOST_IP, apiFor, catalogHas, run, servicesOfContainer, sleep, startSidecar, within, withSidecar } from './_registrator.js';

dockerTest('4. an exposed-only port registers nothing, and with -internal the container IP and exposed port', async (t) => {
  ensureTestImages();
  const agent = await startDevAgent(t);
  const api = apiFor(agent);
  const plain = await startSidecar(t, agent);
  const x1 = uniqueName('x1');
  await run(t, plain, x1, ['--expose', '9000', imageRef('busybox'), 'sleep', '86400']);
  await sleep(3000);
  t.deepEqual(await servicesOfContainer(api, x1), []);
  await plain.stop();
  await startSidecar(t, agent, { internal: true, label: plain.label });
  const ip = await docker(['inspect', '-f', '{{.NetworkSettings.Networks.bridge.IPAddress}}', x1]);
  const [entry] = await catalogHas(api, 'busybox', 1);
  t.is(entry?.ServiceID, `node7:${x1}:9000`);
  t.is(entry?.ServiceAddress, ip);
  t.is(entry?.ServicePort, 9000);
});

dockerTest('9. SERVICE_80_CHECK_HTTP gives one HTTP check at the registered address that passes; CHECK_TCP and INITIAL_STATUS too', async (t) => {
  const { api, sidecar } = await withSidecar(t);
  const http = uniqueName('chk');
  const tcp = uniqueName('chk');
  const initial = uniqueName('chk');
  await Promise.all([
    run(t, sidecar, http, ['-p', '80', '-e', 'SERVICE_NAME=web', '-e', 'SERVICE_80_CHECK_HTTP=/', '-e', 'SERVICE_80_CHECK_INTERVAL=1s', imageRef('nginx')]),
    run(t, sidecar, tcp, ['-p', '80', '-e', 'SERVICE_NAME=webtcp', '-e', 'SERVICE_CHECK_TCP=true', '-e', 'SERVICE_CHECK_INTERVAL=1s', imageRef('nginx')]),
    run(t, sidecar, initial, ['-p', '80', '-e', 'SERVICE_NAME=webttl', '-e', 'SERVICE_CHECK_TTL=30s', '-e', 'SERVICE_CHECK_INITIAL_STATUS=passing', imageRef('nginx')]),
  ]);
  const httpPort = await publishedPort(http, '80/tcp');
  const checks = await within(3000, 'web check passing', async () => {
    const list = (await api.health.checks('web')).value;
    return list.length === 1 && list[0]?.Status === 'passing' ? list : undefined;
  });
  t.is(checks.length, 1);
  // The health endpoints do not echo the definition; the check's output names the URL it fetched.
  t.is(checks[0]?.Type, 'http');
  t.true(checks[0]?.Output.includes(`http://${HOST_IP}:${httpPort}/`), checks[0]?.Output);
  t.is(checks[0]?.Interval, '1s');

  const tcpPort = await publishedPort(tcp, '80/tcp');
  const [tcpCheck] = await within(3000, 'webtcp check passing', async () => {
    const list = (await api.health.checks('webtcp')).value;
    return list[0]?.Status === 'passing' ? list : undefined;
  });
  t.is(tcpCheck?.Type, 'tcp');
  t.true(tcpCheck?.Output.includes(`${HOST_IP}:${tcpPort}`), tcpCheck?.Output);

  await catalogHas(api, 'webttl', 1, 3000);
  const [ttlCheck] = (await api.health.checks('webttl')).value;
  t.is(ttlCheck?.Status, 'passing');
});

dockerTest('Docker HEALTHCHECK state becomes a check: critical while starting or unhealthy, passing when healthy', async (t) => {
  const { api, sidecar } = await withSidecar(t);
  const c = uniqueName('health');
  await run(t, sidecar, c, ['-p', '80', '-e', 'SERVICE_NAME=healthy', '--health-cmd', 'test -f /tmp/ok', '--health-interval', '500ms', '--health-retries', '1', imageRef('nginx')]);
  await catalogHas(api, 'healthy', 1, 3000);
  const status = async () => (await api.health.checks('healthy')).value.find((c) => c.CheckID.endsWith(':sidecar'))?.Status;
  t.is(await status(), 'critical');
  await docker(['exec', c, 'touch', '/tmp/ok']);
  await within(4000, 'passing once Docker says healthy', async () => (await status()) === 'passing');
  await docker(['exec', c, 'rm', '/tmp/ok']);
  await within(4000, 'critical once Docker says unhealthy', async () => (await status()) === 'critical');
  t.pass();
});

dockerTest('-ttl: a sidecar-owned TTL check passes while the sidecar runs and goes critical when it is gone', async (t) => {
  const { api, sidecar } = await withSidecar(t, { ttl: 2, ttlRefresh: 1 });
  const c = uniqueName('ttl');
  await run(t, sidecar, c, ['-p', '80', '-e', 'SERVICE_NAME=heartbeat', imageRef('nginx')]);
  await catalogHas(api, 'heartbeat', 1);
  const check = async () => (await api.health.checks('heartbeat')).value.find((x) => x.CheckID === `service:node7:${c}:80:sidecar`);
  await sleep(3000);
  t.is((await check())?.Status, 'passing', 'refreshed every second, so never expired');
  await sidecar.stop();
  await within(4000, 'critical after the TTL', async () => (await check())?.Status === 'critical');
  t.deepEqual((await api.health.service('heartbeat', { passing: true })).value, [], 'no longer among the passing instances');
});
