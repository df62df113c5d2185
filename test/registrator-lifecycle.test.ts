/**
 * docs/registrator.md scenarios 10, 12 and 13: start-up sync and cleanup, every
 * way a container can go away, and `-deregister on-success`.
 */
import { startDevAgent } from './_agent.js';
import { docker, dockerTest, ensureTestImages, imageRef, uniqueName } from './_docker.js';
import { apiFor, catalogHas, goneWithin, isGone, run, servicesOfContainer, sleep, startSidecar, within, withSidecar } from './_registrator.js';

/** Serves HTTP on 80 and exits with the code written to /tmp/exit (143 on SIGTERM). */
const EXIT_ON_DEMAND = ['sh', '-c', 'trap "exit 143" TERM; httpd -f -p 80 -h /www & while [ ! -f /tmp/exit ]; do sleep 0.1; done; exit $(cat /tmp/exit)'];

dockerTest("10. start-up registers what runs; after a restart with -cleanup only the removed container's service goes", async (t) => {
  ensureTestImages();
  const agent = await startDevAgent(t);
  const api = apiFor(agent);
  const label = `concord.test=${uniqueName('t')}`;
  const names = [uniqueName('s'), uniqueName('s'), uniqueName('s')];
  await Promise.all(names.map((n) => run(t, { label }, n, ['-p', '80', '-e', 'SERVICE_NAME=pre', imageRef('nginx')])));
  const first = await startSidecar(t, agent, { label });
  await catalogHas(api, 'pre', 3);
  await first.stop();

  await docker(['rm', '-f', names[0] as string]);
  await api.agent.serviceRegister({ ID: 'other-id', Name: 'other', Port: 1 });
  // An ID of our shape without our marker is not ours either.
  await api.agent.serviceRegister({ ID: 'node7:lookalike:80', Name: 'other', Port: 2 });
  const second = await startSidecar(t, agent, { label, cleanup: true });
  t.truthy(second);
  await goneWithin(api, 'pre', `node7:${names[0]}:80`);
  const left = await catalogHas(api, 'pre', 2);
  t.deepEqual(
    left.map((e) => e.ServiceID).sort(),
    names
      .slice(1)
      .map((n) => `node7:${n}:80`)
      .sort(),
  );
  const local = await api.agent.services();
  t.truthy(local['other-id']);
  t.truthy(local['node7:lookalike:80']);
});

dockerTest('12. docker rm -f, docker kill and a --rm container exiting each remove the service within 2 s', async (t) => {
  const { api, sidecar } = await withSidecar(t);
  const removed = uniqueName('rm');
  const killed = uniqueName('kill');
  const autoRemoved = uniqueName('autorm');
  await Promise.all([
    run(t, sidecar, removed, ['-p', '80', '-e', 'SERVICE_NAME=gone', imageRef('nginx')]),
    run(t, sidecar, killed, ['-p', '80', '-e', 'SERVICE_NAME=gone', imageRef('nginx')]),
    run(t, sidecar, autoRemoved, ['--rm', '-p', '80', '-e', 'SERVICE_NAME=gone', imageRef('nginx'), ...EXIT_ON_DEMAND]),
  ]);
  await catalogHas(api, 'gone', 3);
  await docker(['rm', '-f', removed]);
  await goneWithin(api, 'gone', `node7:${removed}:80`);
  await docker(['kill', killed]);
  await goneWithin(api, 'gone', `node7:${killed}:80`);
  await docker(['exec', autoRemoved, 'sh', '-c', 'echo 0 > /tmp/exit']);
  await within(5000, 'the --rm container to be removed', async () => (await docker(['ps', '-aq', '-f', `name=^${autoRemoved}$`])) === '');
  await goneWithin(api, 'gone', `node7:${autoRemoved}:80`);
  t.deepEqual(await catalogHas(api, 'gone', 0, 100), []);
});

dockerTest('13. -deregister on-success keeps a service whose container exited 1 and removes those that exit 0 or are stopped', async (t) => {
  const { api, sidecar } = await withSidecar(t, { deregister: 'on-success' });
  const failed = uniqueName('fail');
  const ok = uniqueName('ok');
  const stopped = uniqueName('stop');
  await Promise.all([failed, ok, stopped].map((n) => run(t, sidecar, n, ['-p', '80', '-e', 'SERVICE_NAME=job', imageRef('nginx'), ...EXIT_ON_DEMAND])));
  await catalogHas(api, 'job', 3);
  await docker(['exec', ok, 'sh', '-c', 'echo 0 > /tmp/exit']);
  await goneWithin(api, 'job', `node7:${ok}:80`);
  await docker(['stop', stopped]);
  t.is(await docker(['inspect', '-f', '{{.State.ExitCode}}', stopped]), '143');
  await goneWithin(api, 'job', `node7:${stopped}:80`);
  await docker(['exec', failed, 'sh', '-c', 'echo 1 > /tmp/exit']);
  await within(3000, 'the failing container to exit', async () => (await docker(['inspect', '-f', '{{.State.Status}}', failed])) === 'exited');
  await sleep(2000);
  t.false(await isGone(api, 'job', `node7:${failed}:80`));
  t.deepEqual(await servicesOfContainer(api, failed), [`node7:${failed}:80`]);
});
