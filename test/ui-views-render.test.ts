/**
 * Every view of the web UI, in headless chromium against a real dev agent, shows the data
 * registered through the HTTP API; the page logs no errors and asks nothing of any other host.
 */
import { type AgentProcess, fileScope, startAgent } from '@concord/testkit';
import test from 'ava';
import type { Browser } from 'puppeteer-core';
import { type WatchedPage, launchBrowser, mainText, screenshot, waitForText, watchedPage } from './_browser.js';
import { type Fixture, api, apiJson, registerFixture } from './_ui-fixtures.js';

const scope = fileScope((fn) => test.after.always(fn));
let agent: AgentProcess;
let browser: Browser;
let fixture: Fixture;
let w: WatchedPage;

test.before(async () => {
  agent = await startAgent(scope);
  fixture = await registerFixture(agent.base, agent.node);
  browser = await launchBrowser(scope);
  w = await watchedPage(browser, agent.base);
});

test.serial('the Services view lists every service with its instance count, health counts and tags', async (t) => {
  const { page } = w;
  await page.goto(`${agent.base}/`, { waitUntil: 'load' });
  t.is(new URL(page.url()).pathname, '/ui/');
  await page.waitForSelector('tr[data-service="web"]');
  const row = async (name: string) => page.$eval(`tr[data-service="${name}"]`, (el) => (el as HTMLElement).innerText.replace(/\s+/g, ' '));
  const web = await row('web');
  t.regex(web, /web/);
  t.regex(web, /critical/);
  t.regex(web, /\b2\b/, 'two instances');
  t.regex(web, /2 0 1/, 'serfHealth and web-1 passing, web-2 critical');
  t.regex(web, /http/);
  t.regex(web, /v1/);
  t.regex(web, /v2/);
  const pg = await row('postgres');
  t.regex(pg, /warning/);
  t.regex(pg, /0 1 0/);
  t.regex(pg, /primary/);
  t.truthy(await page.$('tr[data-service="consul"]'));
  await screenshot(page, 'services');

  await page.select('select[aria-label="Filter by health"]', 'critical');
  await page.waitForFunction(() => !document.querySelector('tr[data-service="postgres"]'));
  t.truthy(await page.$('tr[data-service="web"]'));
  t.regex(page.url(), /status=critical/, 'the filter is in the URL');
  await page.select('select[aria-label="Filter by health"]', '');
  await page.select('select[aria-label="Filter by tag"]', 'primary');
  await page.waitForFunction(() => !document.querySelector('tr[data-service="web"]'));
  t.truthy(await page.$('tr[data-service="postgres"]'));
  await page.select('select[aria-label="Filter by tag"]', '');
  await page.type('input[data-search]', 'post');
  await page.waitForFunction(() => !document.querySelector('tr[data-service="web"]'));
  t.truthy(await page.$('tr[data-service="postgres"]'));
  await page.type('input[data-search]', 'zzz');
  await waitForText(page, 'No service matches these filters.');
});

test.serial('the Service view shows each instance with node, address:port, tags, meta, checks with output, and the DNS name', async (t) => {
  const { page } = w;
  await page.goto(`${agent.base}/ui/services/web`, { waitUntil: 'load' });
  await page.waitForSelector('[data-instance="web-2"]');
  const text = await mainText(page);
  t.regex(text, /2 instances/);
  t.true(text.includes(`127.0.0.1:8080`), 'web-1 uses the node address');
  t.true(text.includes('10.0.0.2:8081'));
  t.true(text.includes(agent.node));
  t.true(text.includes('1.4.2'), 'meta value');
  t.true(text.includes('all good'));
  t.true(text.includes('connection refused'));
  t.true(text.includes('web-1 alive'));
  t.true(text.includes('Serf Health Status'), 'node checks are shown with the instance');
  t.is(await page.$eval('[data-dns]', (el) => el.textContent), 'web.service.consul');
  await screenshot(page, 'service');
});

test.serial('the Nodes view shows address, health, service count and the leader/server badges', async (t) => {
  const { page } = w;
  await page.goto(`${agent.base}/ui/nodes`, { waitUntil: 'load' });
  await page.waitForSelector('tr[data-node="db-node"]');
  await page.waitForFunction((n: string) => document.querySelector(`tr[data-node="${n}"]`)?.textContent?.includes('leader'), {}, agent.node);
  const mine = await page.$eval(`tr[data-node="${agent.node}"]`, (el) => (el as HTMLElement).innerText.replace(/\s+/g, ' '));
  t.regex(mine, /leader/);
  t.regex(mine, /server/);
  t.regex(mine, /127\.0\.0\.1/);
  t.regex(mine, /critical/, 'web-2 is failing on this node');
  t.regex(mine, /\b3\b/, 'consul, web-1 and web-2');
  const db = await page.$eval('tr[data-node="db-node"]', (el) => (el as HTMLElement).innerText.replace(/\s+/g, ' '));
  t.regex(db, /10\.1\.1\.1/);
  t.regex(db, /warning/);
  t.regex(db, /client/);
  await screenshot(page, 'nodes');
});

test.serial('the Node view shows services, checks, sessions and the RTT estimate from coordinates', async (t) => {
  const { page } = w;
  await page.goto(`${agent.base}/ui/nodes/${agent.node}`, { waitUntil: 'load' });
  await page.waitForSelector(`tr[data-session="${fixture.sessionId}"]`);
  const text = await mainText(page);
  t.true(text.includes('web-1'));
  t.true(text.includes('web-2'));
  t.true(text.includes('ui-lock'));
  t.true(text.includes('connection refused'));
  t.true(text.includes('this is the agent serving the UI'));
  await screenshot(page, 'node');

  await page.goto(`${agent.base}/ui/nodes/db-node`, { waitUntil: 'load' });
  await page.waitForSelector('[data-rtt]');
  // The estimate is Serf's: vector distance plus both heights (plus adjustments when positive),
  // from the coordinates the API holds now (the agent may have replaced the one the test wrote).
  const coords = await apiJson<{ Node: string; Coord: { Vec: number[]; Height: number; Adjustment: number } }[]>(agent.base, '/v1/coordinate/nodes');
  const a = coords.find((c) => c.Node === agent.node)?.Coord;
  const b = coords.find((c) => c.Node === 'db-node')?.Coord;
  if (!a || !b) throw new Error(`coordinates missing: ${JSON.stringify(coords)}`);
  const dist = Math.hypot(...a.Vec.map((x, i) => x - (b.Vec[i] ?? 0))) + a.Height + b.Height;
  const adjusted = dist + a.Adjustment + b.Adjustment;
  const expected = `${((adjusted > 0 ? adjusted : dist) * 1000).toFixed(3)} ms from ${agent.node}`;
  await page.waitForFunction((want: string) => document.querySelector('[data-rtt]')?.textContent === want, {}, expected);
  t.is(await page.$eval('[data-rtt]', (el) => el.textContent ?? ''), expected);
  t.true((await mainText(page)).includes('replication lag 12s'));
  await screenshot(page, 'node-external');
});

test.serial('the Key/Value view navigates folders and shows values, JSON pretty-printed, flags and the lock holder', async (t) => {
  const { page } = w;
  await page.goto(`${agent.base}/ui/kv/`, { waitUntil: 'load' });
  await page.waitForSelector('tr[data-kv="app/"]');
  t.truthy(await page.$('tr[data-kv="readme"]'));
  await screenshot(page, 'kv-root');
  await page.click('tr[data-kv="app/"] a');
  await page.waitForSelector('tr[data-kv="app/config"]');
  t.is(new URL(page.url()).pathname, '/ui/kv/app/');
  await page.click('tr[data-kv="app/config"] a');
  await page.waitForSelector('[data-json]');
  const pretty = await page.$eval('[data-json] pre', (el) => el.textContent ?? '');
  t.is(pretty, JSON.stringify({ port: 8080, features: ['a', 'b'] }, null, 2));
  await screenshot(page, 'kv-key-json');

  await page.goto(`${agent.base}/ui/kv/app/name`, { waitUntil: 'load' });
  await page.waitForSelector('input[name="flags"]');
  t.is(await page.$eval('input[name="flags"]', (el) => (el as HTMLInputElement).value), '42');
  t.is(await page.$eval('textarea[name="value"]', (el) => (el as HTMLTextAreaElement).value), 'concord');

  await page.goto(`${agent.base}/ui/kv/app/locked`, { waitUntil: 'load' });
  await page.waitForSelector('[data-lock]');
  await page.waitForFunction(() => document.querySelector('[data-lock]')?.textContent?.includes('ui-lock'));
  const lock = await page.$eval('[data-lock]', (el) => el.textContent ?? '');
  t.true(lock.includes(fixture.sessionId));
  t.true(lock.includes(agent.node));
  await screenshot(page, 'kv-locked');
});

test.serial('the Cluster view shows raft peers, the leader, autopilot health and members', async (t) => {
  const { page } = w;
  await page.goto(`${agent.base}/ui/cluster`, { waitUntil: 'load' });
  await page.waitForSelector(`tr[data-peer="${agent.node}"]`);
  await page.waitForSelector('[data-autopilot]');
  await page.waitForSelector(`tr[data-member="${agent.node}"]`);
  await page.waitForSelector('[data-leader]');
  const peer = await page.$eval(`tr[data-peer="${agent.node}"]`, (el) => (el as HTMLElement).innerText);
  t.regex(peer, /leader/);
  t.regex(await page.$eval('[data-autopilot]', (el) => el.textContent ?? ''), /healthy/);
  t.regex(await page.$eval(`tr[data-member="${agent.node}"]`, (el) => (el as HTMLElement).innerText), /alive/);
  t.regex(await page.$eval('[data-leader]', (el) => el.textContent ?? ''), /^127\.0\.0\.1:\d+$/);
  await screenshot(page, 'cluster');
});

test.serial('keyboard: g n opens Nodes, j focuses the first row and Enter opens it; / focuses the search; ? toggles the help', async (t) => {
  const { page } = w;
  await page.goto(`${agent.base}/ui/services`, { waitUntil: 'load' });
  await page.waitForSelector('tr[data-service="web"]');
  await page.keyboard.press('/');
  t.true(await page.evaluate(() => document.activeElement?.hasAttribute('data-search') ?? false));
  await page.keyboard.press('Escape');
  await page.keyboard.press('g');
  await page.keyboard.press('n');
  await page.waitForSelector('tr[data-node="db-node"]');
  t.is(new URL(page.url()).pathname, '/ui/nodes');
  await page.keyboard.press('j');
  const focused = await page.evaluate(() => document.activeElement?.textContent ?? '');
  t.true(focused.length > 0);
  await page.keyboard.press('Enter');
  await page.waitForFunction((n: string) => location.pathname === `/ui/nodes/${n}`, {}, focused);
  await page.goBack();
  await page.waitForFunction(() => location.pathname === '/ui/nodes');
  await page.keyboard.press('?');
  await page.waitForSelector('[role="dialog"][aria-label="Keyboard shortcuts"]');
  await page.keyboard.press('?');
  await page.waitForFunction(() => !document.querySelector('[role="dialog"]'));
});

test.serial('readable at phone width and in dark mode', async (t) => {
  const phone = await watchedPage(browser, agent.base, { dark: true });
  await phone.page.setViewport({ width: 390, height: 844, isMobile: true, hasTouch: true });
  await phone.page.goto(`${agent.base}/ui/services`, { waitUntil: 'load' });
  await phone.page.waitForSelector('tr[data-service="web"]');
  const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  t.true(overflow <= 0, `no horizontal scrolling at 390 px (overflow ${overflow} px)`);
  const bg = await phone.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  t.is(bg, 'rgb(21, 23, 27)', 'dark background under prefers-color-scheme: dark');
  await screenshot(phone.page, 'services-phone-dark');
  await phone.page.goto(`${agent.base}/ui/services/web`, { waitUntil: 'load' });
  await phone.page.waitForSelector('[data-instance="web-2"]');
  await screenshot(phone.page, 'service-phone-dark');
  t.deepEqual(phone.errors, []);
  t.deepEqual(phone.foreign, []);
  await phone.page.close();
});

test.serial('a service whose name holds a slash has a working deep link', async (t) => {
  await api(agent.base, 'PUT', '/v1/catalog/register', { Node: 'db-node', Address: '10.1.1.1', Service: { ID: 'team-api', Service: 'team/api', Port: 7070 } });
  const { page } = w;
  await page.goto(`${agent.base}/ui/services`, { waitUntil: 'load' });
  await page.waitForSelector('tr[data-service="team/api"]');
  await page.click('tr[data-service="team/api"] a');
  await page.waitForSelector('[data-instance="team-api"]');
  t.is(new URL(page.url()).pathname, '/ui/services/team%2Fapi');
  await page.reload({ waitUntil: 'load' });
  await page.waitForSelector('[data-instance="team-api"]');
  t.is(await page.$eval('h1', (el) => el.textContent), 'team/api');
});

test.serial('long lists are shown 100 rows at a time: instances of a service and keys of a folder', async (t) => {
  for (let i = 0; i < 130; i++) {
    const n = String(i).padStart(3, '0');
    await api(agent.base, 'PUT', '/v1/catalog/register', { Node: `many-${n}`, Address: `10.2.0.${i}`, Service: { ID: `many-${n}`, Service: 'many', Port: 1000 + i } });
    await api(agent.base, 'PUT', `/v1/kv/bulk/k${n}`, n);
  }
  const { page } = w;
  await page.goto(`${agent.base}/ui/services/many`, { waitUntil: 'load' });
  await page.waitForSelector('[data-instance="many-000"]');
  t.is((await page.$$('[data-instance]')).length, 100);
  t.falsy(await page.$('[data-instance="many-100"]'));
  await waitForText(page, 'Page 1 of 2');
  await page.click('.pager button:last-child');
  await page.waitForSelector('[data-instance="many-129"]');
  t.is((await page.$$('[data-instance]')).length, 30);

  await page.goto(`${agent.base}/ui/kv/bulk/`, { waitUntil: 'load' });
  await page.waitForSelector('tr[data-kv="bulk/k000"]');
  t.is((await page.$$('tr[data-kv]')).length, 100);
  await page.click('.pager button:last-child');
  await page.waitForSelector('tr[data-kv="bulk/k129"]');
  t.is((await page.$$('tr[data-kv]')).length, 30);
});

test.serial('no console errors and no request to anything but the agent', (t) => {
  t.true(w.requests.length > 10);
  t.deepEqual(w.errors, []);
  t.deepEqual(w.foreign, []);
});
