/**
 * A client agent serves the web UI itself (its files are never forwarded to a server) while the
 * UI's reads go through it to the servers: a service registered with the client shows in the UI
 * the client serves, in headless chromium.
 */
import test from 'ava';
import { launchBrowser, waitForText, watchedPage } from './_browser.js';
import { ProcessCluster, getText, httpAddr, until } from './_process-cluster.js';

test('a client agent serves /ui/ and its views show the cluster through it', async (t) => {
  const c = new ProcessCluster(t);
  const server = await c.startServer({ expect: 1 });
  await c.waitForLeader([server], 20_000);
  const client = await c.startClient({ join: server, config: { ui_config: { enabled: true } } });
  const base = `http://${httpAddr(client)}`;
  await until(async () => (await getText(httpAddr(client), '/v1/status/leader')).text.length > 2, 20_000, 'the client to know the leader');

  const serverRoot = await getText(httpAddr(server), '/', { redirect: 'manual' });
  t.is(serverRoot.text, 'Consul Agent', 'the server was not asked for a UI');
  const root = await fetch(`${base}/`, { redirect: 'manual' });
  t.is(root.status, 301);

  const reg = await fetch(`${base}/v1/agent/service/register`, { method: 'PUT', body: JSON.stringify({ ID: 'api-1', Name: 'api', Port: 7000, Tags: ['edge'] }) });
  t.is(reg.status, 200);

  const w = await watchedPage(await launchBrowser(t), base);
  await w.page.goto(`${base}/ui/services`, { waitUntil: 'load' });
  await w.page.waitForSelector('tr[data-service="api"]', { timeout: 20_000 });
  await w.page.goto(`${base}/ui/nodes/${client.name}`, { waitUntil: 'load' });
  await waitForText(w.page, 'api-1');
  await w.page.goto(`${base}/ui/cluster`, { waitUntil: 'load' });
  await w.page.waitForSelector(`tr[data-peer="${server.name}"]`);
  await w.page.waitForSelector(`tr[data-member="${client.name}"]`);
  t.regex(await w.page.$eval(`tr[data-member="${client.name}"]`, (el) => (el as HTMLElement).innerText), /client/);
  t.deepEqual(w.errors, []);
  t.deepEqual(w.foreign, []);
});
