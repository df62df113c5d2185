/**
 * docs/registrator.md scenario 15: containers shaped like Marathon tasks started
 * by the Mesos Docker containerizer, in bridge and in host networking.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { dockerTest, imageRef } from './_docker.js';
import { HOST_IP, catalogHas, run, servicesOfContainer, within, withSidecar } from './_registrator.js';

/** A TCP port that was free a moment ago. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

dockerTest('15. a bridge Marathon task is named from its app id (web-shop) with Marathon Meta, at its host port', async (t) => {
  const { api, sidecar } = await withSidecar(t);
  const uuid = randomUUID();
  const name = `mesos-${uuid}`;
  const port = await freePort();
  await run(t, sidecar, name, [
    ...['-e', 'MARATHON_APP_ID=/shop/web', '-e', `PORT0=${port}`, '-e', `PORT_80=${port}`, '-e', `PORTS=${port}`, '-e', 'HOST=node7'],
    ...['-l', `MESOS_TASK_ID=shop_web.${uuid}`, '-p', `${port}:80`, imageRef('nginx')],
  ]);
  const [entry] = await catalogHas(api, 'web-shop', 1);
  t.is(entry?.ServiceID, `node7:${name}:80`);
  t.is(entry?.ServiceAddress, HOST_IP);
  t.is(entry?.ServicePort, port);
  t.is(entry?.ServiceMeta?.marathon_app_id, '/shop/web');
  t.is(entry?.ServiceMeta?.mesos_task_id, `shop_web.${uuid}`);
});

dockerTest('15. a host-network Marathon task registers $PORT0 (api-shop), where it serves, and not its EXPOSEd 9999', async (t) => {
  const { api, sidecar } = await withSidecar(t);
  const name = `mesos-${randomUUID()}`;
  const port = await freePort();
  await run(t, sidecar, name, [
    '--net=host',
    ...['-e', 'MARATHON_APP_ID=/shop/api', '-e', `PORT0=${port}`, '-e', `PORTS=${port}`],
    ...['-e', 'SERVICE_CHECK_HTTP=/', '-e', 'SERVICE_CHECK_INTERVAL=1s'],
    imageRef('hostapp'),
  ]);
  const [entry] = await catalogHas(api, 'api-shop', 1);
  t.is(entry?.ServiceID, `node7:${name}:${port}`);
  t.is(entry?.ServiceAddress, HOST_IP);
  t.is(entry?.ServicePort, port);
  const [check] = await within(3000, 'the task answers on $PORT0', async () => {
    const list = (await api.health.checks('api-shop')).value;
    return list[0]?.Status === 'passing' ? list : undefined;
  });
  t.is(check?.Status, 'passing');
  t.deepEqual(await servicesOfContainer(api, name), [`node7:${name}:${port}`]);
});
