/**
 * The web UI says plainly when it cannot read (headless chromium, real agent): a 403 from the
 * agent, the agent going away (retrying with backoff, not hammering), an unknown page or node.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileScope, startAgent, tempDir } from '@concord/testkit';
import test from 'ava';
import type { Browser } from 'puppeteer-core';
import { launchBrowser, screenshot, waitForText, watchedPage } from './_browser.js';

const scope = fileScope((fn) => test.after.always(fn));
let browser: Browser;

test.before(async () => {
  browser = await launchBrowser(scope);
});

test('a 403 from the agent is shown as access denied', async (t) => {
  const dir = tempDir(t);
  const config = join(dir, 'blocked.json');
  writeFileSync(config, JSON.stringify({ http_config: { block_endpoints: ['/v1/internal/ui/services'] } }));
  const agent = await startAgent(t, { extraArgs: ['-config-file', config] });
  const { page } = await watchedPage(browser, agent.base);
  await page.goto(`${agent.base}/ui/services`, { waitUntil: 'load' });
  await waitForText(page, 'Access denied');
  await waitForText(page, 'Endpoint is blocked by agent configuration');
  await screenshot(page, 'error-403');
  await page.close();
  t.pass();
});

test('an agent that goes away is reported, and retried with backoff', async (t) => {
  const agent = await startAgent(t);
  const w = await watchedPage(browser, agent.base);
  await w.page.goto(`${agent.base}/ui/services`, { waitUntil: 'load' });
  await w.page.waitForSelector('tr[data-service="consul"]');
  await agent.stop();
  await waitForText(w.page, 'Agent unreachable');
  t.truthy(await w.page.$('tr[data-service="consul"]'), 'the last data stays on screen');
  await waitForText(w.page, 'Showing the last data received');
  await screenshot(w.page, 'error-agent-down');
  const before = w.requests.length;
  await new Promise((r) => setTimeout(r, 6000));
  const retries = w.requests.length - before;
  // Backoff doubles from 1 s: at most 1 s + 2 s + 4 s in 6 s, i.e. three or four attempts.
  t.true(retries <= 4, `${retries} requests in 6 s while the agent is down`);
  await w.page.close();
});

test('an unknown page and an unknown node have their own empty states', async (t) => {
  const agent = await startAgent(t);
  const w = await watchedPage(browser, agent.base);
  await w.page.goto(`${agent.base}/ui/no-such-view`, { waitUntil: 'load' });
  await waitForText(w.page, 'There is no page at /ui/no-such-view');
  await w.page.goto(`${agent.base}/ui/services/ghost`, { waitUntil: 'load' });
  await waitForText(w.page, 'No instance of ghost is registered.');
  await w.page.goto(`${agent.base}/ui/kv/`, { waitUntil: 'load' });
  await waitForText(w.page, 'The key/value store is empty.');
  t.deepEqual(w.foreign, []);
  await w.page.close();
});
