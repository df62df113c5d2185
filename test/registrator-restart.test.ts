/**
 * docs/registrator.md scenario 11: a restarted container keeps its service. A
 * restart produces `die` then `start` for the same container; registrator
 * handles them unordered and can deregister a running container. Here every
 * restart must be followed by the service being present within 2 s, and after
 * the last one it must stay present, with the same ID, for 10 s.
 */
import type { ExecutionContext } from 'ava';
import type { ConsulApi } from '@concord/api';
import { docker, dockerTest, imageRef, uniqueName } from './_docker.js';
import { catalogEntries, catalogHas, run, sleep, within, withSidecar } from './_registrator.js';

/** The service instance is in the catalog (not only registered with the agent, which syncs it). */
async function inCatalog(api: ConsulApi, name: string, id: string): Promise<boolean> {
  return (await catalogEntries(api, name)).some((e) => e.ServiceID === id);
}

async function stillPresent(t: ExecutionContext, api: ConsulApi, name: string, id: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const entries = (await api.catalog.service(name)).value;
    if (entries.length !== 1 || entries[0]?.ServiceID !== id) {
      t.fail(`${id} left the catalog ${ms - (end - Date.now())} ms after the last restart: ${JSON.stringify(entries)}`);
      return;
    }
    await sleep(200);
  }
  t.pass();
}

dockerTest('11. docker restart, 20 times: the service is back within 2 s each time and stays', async (t) => {
  const { api, sidecar } = await withSidecar(t);
  const web1 = uniqueName('web1');
  const id = `node7:${web1}:80`;
  await run(t, sidecar, web1, ['-p', '80', '-e', 'SERVICE_NAME=web', imageRef('nginx')]);
  await catalogHas(api, 'web', 1);
  for (let i = 0; i < 20; i++) {
    await docker(['restart', web1]);
    await within(2000, `service back after restart ${i + 1}`, async () => inCatalog(api, 'web', id));
  }
  // The sidecar handles the last restart's die and start events within the 2 s: from then on the
  // service must stay (the check above may have seen the registration before the die was handled).
  await sleep(2000);
  await stillPresent(t, api, 'web', id, 10_000);
});

dockerTest('11. a --restart=always container whose process exits 1: back within 2 s after each restart, and stays', async (t) => {
  const { api, sidecar } = await withSidecar(t);
  const c = uniqueName('always');
  const id = `node7:${c}:80`;
  const script = 'trap "exit 143" TERM; httpd -f -p 80 -h /www & while [ ! -f /tmp/exit ]; do sleep 0.05; done; rm /tmp/exit; exit 1';
  await run(t, sidecar, c, ['--restart=always', '-p', '80', '-e', 'SERVICE_NAME=flaky', imageRef('nginx'), 'sh', '-c', script]);
  await catalogHas(api, 'flaky', 1);
  // Docker doubles the restart delay each time (100 ms, 200 ms, ...), so a few rounds.
  for (let i = 1; i <= 4; i++) {
    await within(5000, 'container running', async () => (await docker(['inspect', '-f', '{{.State.Status}}', c])) === 'running');
    await docker(['exec', c, 'touch', '/tmp/exit']);
    await within(5000, `restart ${i}`, async () => Number(await docker(['inspect', '-f', '{{.RestartCount}}', c])) >= i);
    await within(2000, `service back after restart ${i}`, async () => inCatalog(api, 'flaky', id));
  }
  await sleep(2000);
  await stillPresent(t, api, 'flaky', id, 10_000);
});
