/**
 * Open pages of the web UI follow the registry by themselves through blocking queries (headless
 * chromium, real dev agent): a change made through the API shows without a reload, and an idle
 * page keeps only its blocking queries open instead of polling.
 */
import { type AgentProcess, fileScope, startAgent } from '@concord/testkit';
import test from 'ava';
import { type WatchedPage, launchBrowser, waitForText, watchedPage } from './_browser.js';
import { api } from './_ui-fixtures.js';

const scope = fileScope((fn) => test.after.always(fn));
let agent: AgentProcess;
let w: WatchedPage;

test.before(async () => {
  agent = await startAgent(scope);
  w = await watchedPage(await launchBrowser(scope), agent.base);
});

test.serial('a service registered through the API appears in an open Services page within 2 s', async (t) => {
  const { page } = w;
  await page.goto(`${agent.base}/ui/services`, { waitUntil: 'load' });
  await page.waitForSelector('tr[data-service="consul"]');
  // Let the page settle into its blocking query before the change.
  await new Promise((r) => setTimeout(r, 300));
  await api(agent.base, 'PUT', '/v1/agent/service/register', { ID: 'late-1', Name: 'late-arrival', Port: 9000, Tags: ['fresh'] });
  const registered = Date.now();
  await page.waitForSelector('tr[data-service="late-arrival"]', { timeout: 2000 });
  t.log(`shown ${Date.now() - registered} ms after the registration returned`);
  t.regex(await page.$eval('tr[data-service="late-arrival"]', (el) => el.textContent ?? ''), /fresh/);
});

test.serial('an idle page holds one blocking query per dependency rather than polling', async (t) => {
  const { page } = w;
  await page.goto(`${agent.base}/ui/services`, { waitUntil: 'load' });
  await page.waitForSelector('tr[data-service="late-arrival"]');
  await new Promise((r) => setTimeout(r, 500));
  const before = w.requests.length;
  await new Promise((r) => setTimeout(r, 3000));
  const during = w.requests.slice(before);
  t.true(during.length <= 2, `requests while idle: ${during.join(', ')}`);
});

test.serial('a registry that keeps changing is read at most twice a second per view dependency', async (t) => {
  const { page } = w;
  await page.goto(`${agent.base}/ui/services`, { waitUntil: 'load' });
  await page.waitForSelector('tr[data-service="late-arrival"]');
  const before = w.requests.length;
  const started = Date.now();
  let n = 0;
  while (Date.now() - started < 3000) {
    await api(agent.base, 'PUT', '/v1/agent/service/register', { ID: `churn-${n}`, Name: `churn-${n}`, Port: 1 });
    n++;
    await new Promise((r) => setTimeout(r, 40));
  }
  const seconds = (Date.now() - started) / 1000;
  const reads = w.requests.slice(before).filter((u) => u.includes('/v1/internal/ui/services')).length;
  t.log(`${n} registrations in ${seconds.toFixed(1)} s, ${reads} reads of the services summary`);
  t.true(n > 10);
  t.true(reads <= Math.ceil(seconds * 2) + 1, `${reads} reads in ${seconds} s`);
  await page.waitForSelector(`tr[data-service="churn-${n - 1}"]`, { timeout: 2000 });
});

test.serial('a check turning critical shows on the open Service page', async (t) => {
  const { page } = w;
  await api(agent.base, 'PUT', '/v1/agent/check/register', { CheckID: 'late-ttl', Name: 'late ttl', TTL: '10m', ServiceID: 'late-1' });
  await api(agent.base, 'PUT', '/v1/agent/check/pass/late-ttl?note=fine');
  await page.goto(`${agent.base}/ui/services/late-arrival`, { waitUntil: 'load' });
  await waitForText(page, 'fine');
  await api(agent.base, 'PUT', '/v1/agent/check/fail/late-ttl?note=disk%20full');
  await waitForText(page, 'disk full', 2000);
  t.truthy(await page.$('[data-instance="late-1"] .status-critical'));
});

test.serial('a KV write through the API shows on the open key and folder pages', async (t) => {
  const { page } = w;
  await api(agent.base, 'PUT', '/v1/kv/live/key', 'one');
  await page.goto(`${agent.base}/ui/kv/live/key`, { waitUntil: 'load' });
  await page.waitForFunction(() => (document.querySelector('textarea[name="value"]') as HTMLTextAreaElement | null)?.value === 'one');
  await api(agent.base, 'PUT', '/v1/kv/live/key', 'two');
  await page.waitForFunction(() => (document.querySelector('textarea[name="value"]') as HTMLTextAreaElement | null)?.value === 'two', { timeout: 2000 });
  await page.goto(`${agent.base}/ui/kv/live/`, { waitUntil: 'load' });
  await page.waitForSelector('tr[data-kv="live/key"]');
  await api(agent.base, 'PUT', '/v1/kv/live/other', 'x');
  await page.waitForSelector('tr[data-kv="live/other"]', { timeout: 2000 });
  t.pass();
});

test.serial('no console errors and no request to anything but the agent', (t) => {
  t.deepEqual(w.errors, []);
  t.deepEqual(w.foreign, []);
});
