import test from 'ava';
import { hostTaskPorts, marathonServiceName, schedulerTask } from '../src/scheduler.js';
import { buildServices } from '../src/service-model.js';
import { inspectOf, NODE7 } from './_inspect.js';

test('Marathon app ids are named the mesos-dns way', (t) => {
  t.is(marathonServiceName('/shop/web'), 'web-shop');
  t.is(marathonServiceName('/a/b.c/App_1'), 'app-1-b-c-a');
});

test('a bridge Marathon task is named from its app id, with Meta, at the published port', (t) => {
  const [s] = buildServices(
    inspectOf({
      name: 'mesos-1b2c',
      ports: { '80/tcp': '31245' },
      env: { MARATHON_APP_ID: '/shop/web', MARATHON_APP_VERSION: '2015-04-02T09:37:00.596Z', PORT0: '31245', PORT_80: '31245', PORTS: '31245', HOST: 'node7' },
      labels: { MESOS_TASK_ID: 'shop_web.1b2c' },
    }),
    NODE7,
  ).services;
  t.is(s?.name, 'web-shop');
  t.is(s?.id, 'node7:mesos-1b2c:80');
  t.is(s?.port, 31245);
  t.deepEqual(s?.meta, { marathon_app_id: '/shop/web', marathon_app_version: '2015-04-02T09:37:00.596Z', mesos_task_id: 'shop_web.1b2c' });
});

test('a host-network Marathon task registers PORT0..n, not the image EXPOSE list', (t) => {
  const services = buildServices(
    inspectOf({ name: 'mesos-9', exposed: ['9999/tcp'], networkMode: 'host', env: { MARATHON_APP_ID: '/shop/api', PORT0: '31001', PORT1: '31002', PORT_ADMIN: '31002' } }),
    NODE7,
  ).services;
  t.deepEqual(
    services.map((s) => [s.id, s.name, s.port]),
    [
      ['node7:mesos-9:31001', 'api-shop-0', 31001],
      ['node7:mesos-9:31002', 'api-shop-admin', 31002],
    ],
  );
});

test('SERVICE_NAME still wins over the app id; Marathon app labels are honoured', (t) => {
  const c = { name: 'm', ports: { '80/tcp': '31245' }, env: { MARATHON_APP_ID: '/shop/web', SERVICE_NAME: 'storefront' } };
  t.is(buildServices(inspectOf(c), NODE7).services[0]?.name, 'storefront');
  const viaLabel = { name: 'm', ports: { '80/tcp': '31245' }, env: { MARATHON_APP_ID: '/shop/web', MARATHON_APP_LABEL_SERVICE_TAGS: 'canary' } };
  t.deepEqual(buildServices(inspectOf(viaLabel), NODE7).services[0]?.tags, ['canary']);
});

test('Chronos jobs are named after the job', (t) => {
  const task = schedulerTask([['CHRONOS_JOB_NAME', 'Nightly Report']]);
  t.is(task?.baseName, 'nightly-report');
  t.deepEqual(task?.meta, [['chronos_job_name', 'Nightly Report']]);
});

test('host task ports fall back to PORTS', (t) => {
  t.deepEqual(hostTaskPorts([['PORTS', '31000,31001']]), [
    { port: 31000, label: '0' },
    { port: 31001, label: '1' },
  ]);
});
