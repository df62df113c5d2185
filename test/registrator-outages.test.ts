/**
 * docs/registrator.md scenario 14 and the other outages registrator does not
 * survive: the registry unreachable (writes are retried, none is lost), the
 * Docker event stream cut (it reconnects and reconciles), and a registry that
 * lost registrations behind the sidecar's back (`-resync` restores them).
 */
import { startDevAgent } from './_agent.js';
import { docker, dockerTest, ensureTestImages, imageRef, uniqueName } from './_docker.js';
import { startProxy } from './_proxy.js';
import { apiFor, catalogHas, goneWithin, isGone, run, sleep, startSidecar, within, withSidecar } from './_registrator.js';

const RETRY_MS = 500;

dockerTest('14. registry down: a container started meanwhile appears, and one stopped meanwhile goes, once it is back', async (t) => {
  ensureTestImages();
  const agent = await startDevAgent(t);
  const api = apiFor(agent);
  const proxy = await startProxy(t, agent.httpAddr);
  const sidecar = await startSidecar(t, agent, { address: proxy.address, retryInterval: RETRY_MS });
  const web2 = uniqueName('web2');
  const id = `node7:${web2}:80`;

  await proxy.off();
  await run(t, sidecar, web2, ['-p', '80', '-e', 'SERVICE_NAME=web2', imageRef('nginx')]);
  await sleep(5000);
  t.true(await isGone(api, 'web2', id), 'nothing reaches the registry while it is down');
  await proxy.on();
  await catalogHas(api, 'web2', 1, RETRY_MS + 2000);

  await proxy.off();
  await docker(['stop', web2]);
  await sleep(3000);
  t.false(await isGone(api, 'web2', id), 'the registry is still down, so the service is still there');
  await proxy.on();
  await goneWithin(api, 'web2', id, RETRY_MS + 2000);
});

dockerTest('the Docker event stream is cut: the sidecar reconnects and registers what started meanwhile', async (t) => {
  ensureTestImages();
  const agent = await startDevAgent(t);
  const api = apiFor(agent);
  const dockerProxy = await startProxy(t, '/var/run/docker.sock');
  const sidecar = await startSidecar(t, agent);
  // A second sidecar on the same containers, but talking to Docker through the proxy.
  await sidecar.stop();
  const viaProxy = await startSidecar(t, agent, { label: sidecar.label, dockerAddress: `tcp://${dockerProxy.address}` });
  t.truthy(viaProxy);
  await dockerProxy.off();
  const late = uniqueName('late');
  await run(t, sidecar, late, ['-p', '80', '-e', 'SERVICE_NAME=late', imageRef('nginx')]);
  await sleep(1000);
  t.true(await isGone(api, 'late', `node7:${late}:80`));
  await dockerProxy.on();
  await catalogHas(api, 'late', 1, 7000);
  await docker(['stop', late]);
  await goneWithin(api, 'late', `node7:${late}:80`);
});

dockerTest('-resync registers again what the registry lost', async (t) => {
  const { api, sidecar } = await withSidecar(t, { resync: 3 });
  const c = uniqueName('lost');
  await run(t, sidecar, c, ['-p', '80', '-e', 'SERVICE_NAME=lost', imageRef('nginx')]);
  await catalogHas(api, 'lost', 1);
  await api.agent.serviceDeregister(`node7:${c}:80`);
  // Seen gone before the next resync (every 3 s) puts it back.
  await within(1500, 'deregistered by hand', async () => isGone(api, 'lost', `node7:${c}:80`));
  const [entry] = await catalogHas(api, 'lost', 1, 6000);
  t.is(entry?.ServiceID, `node7:${c}:80`);
});
