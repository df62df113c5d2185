/**
 * Key/Value editing in the web UI (headless chromium, real dev agent): keys and folders created,
 * edited and deleted through the UI are seen through the HTTP API, and an edit based on a value
 * that changed meanwhile is refused with ?cas and said so, never silently overwriting.
 */
import { type AgentProcess, fileScope, startAgent } from '@concord/testkit';
import test from 'ava';
import type { Page } from 'puppeteer-core';
import { type WatchedPage, launchBrowser, screenshot, waitForText, watchedPage } from './_browser.js';
import { api, apiJson, kvText } from './_ui-fixtures.js';

const scope = fileScope((fn) => test.after.always(fn));
let agent: AgentProcess;
let w: WatchedPage;

test.before(async () => {
  agent = await startAgent(scope);
  await api(agent.base, 'PUT', '/v1/kv/app/existing', 'keep me');
  w = await watchedPage(await launchBrowser(scope), agent.base);
});

async function replaceText(page: Page, selector: string, text: string): Promise<void> {
  await page.$eval(selector, (el) => (el as HTMLInputElement | HTMLTextAreaElement).select());
  await page.keyboard.press('Backspace');
  await page.type(selector, text);
}

async function waitForApi(probe: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test.serial('a key created in the UI exists through the API, and is created only if absent', async (t) => {
  const { page } = w;
  await page.goto(`${agent.base}/ui/kv/app/`, { waitUntil: 'load' });
  await page.waitForSelector('tr[data-kv="app/existing"]');
  await page.type('form[data-form="new-key"] input[name="key"]', 'created');
  await page.type('form[data-form="new-key"] textarea[name="value"]', '{"replicas":3}');
  await page.click('button[data-action="create"]');
  await page.waitForFunction(() => location.pathname === '/ui/kv/app/created');
  t.is(await kvText(agent.base, 'app/created'), '{"replicas":3}');

  await page.goto(`${agent.base}/ui/kv/app/`, { waitUntil: 'load' });
  await page.waitForSelector('tr[data-kv="app/created"]');
  await page.type('form[data-form="new-key"] input[name="key"]', 'existing');
  await page.type('form[data-form="new-key"] textarea[name="value"]', 'clobber');
  await page.click('button[data-action="create"]');
  await waitForText(page, 'Not created: app/existing already exists.');
  t.is(await kvText(agent.base, 'app/existing'), 'keep me');
});

test.serial('a folder created in the UI is a key ending in / through the API', async (t) => {
  const { page } = w;
  await page.goto(`${agent.base}/ui/kv/app/`, { waitUntil: 'load' });
  await page.waitForSelector('tr[data-kv="app/existing"]');
  await page.type('form[data-form="new-key"] input[name="key"]', 'sub/');
  await page.click('button[data-action="create"]');
  await page.waitForFunction(() => location.pathname === '/ui/kv/app/sub/');
  t.is(await kvText(agent.base, 'app/sub/'), '');
  await waitForText(page, 'This folder is empty.');
});

test.serial('an edit saved in the UI (value and flags) is what the API returns', async (t) => {
  const { page } = w;
  await page.goto(`${agent.base}/ui/kv/app/created`, { waitUntil: 'load' });
  await page.waitForSelector('textarea[name="value"]');
  await replaceText(page, 'textarea[name="value"]', 'replicas=5');
  await replaceText(page, 'input[name="flags"]', '7');
  await page.click('button[data-action="save"]');
  await page.waitForSelector('[data-notice="ok"]');
  t.is(await kvText(agent.base, 'app/created'), 'replicas=5');
  const [entry] = await apiJson<{ Flags: number }[]>(agent.base, '/v1/kv/app/created');
  t.is(entry?.Flags, 7);
  await screenshot(page, 'kv-saved');
});

test.serial('a save based on a value changed meanwhile is refused and shown as a conflict; overwrite is explicit', async (t) => {
  const { page } = w;
  await page.goto(`${agent.base}/ui/kv/app/created`, { waitUntil: 'load' });
  await page.waitForSelector('textarea[name="value"]');
  await replaceText(page, 'textarea[name="value"]', 'my edit');
  // Someone else writes the key while the edit is open.
  await api(agent.base, 'PUT', '/v1/kv/app/created', 'their write');
  await waitForText(page, 'This key changed since you started editing');
  t.is(await page.$eval('textarea[name="value"]', (el) => (el as HTMLTextAreaElement).value), 'my edit', 'the draft is kept');
  t.is(await page.$eval('[data-current-value]', (el) => el.textContent), 'their write', 'the newer value is shown beside it');
  await page.click('button[data-action="save"]');
  await page.waitForSelector('[data-notice="conflict"]');
  const notice = await page.$eval('[data-notice="conflict"]', (el) => el.textContent ?? '');
  t.regex(notice, /^Not saved: someone changed this key/);
  t.is(await kvText(agent.base, 'app/created'), 'their write', 'the newer value was not overwritten');
  await screenshot(page, 'kv-cas-conflict');

  await page.click('button[data-action="overwrite"]');
  await page.waitForSelector('[data-notice="ok"]');
  t.is(await kvText(agent.base, 'app/created'), 'my edit');
});

test.serial('a key deleted in the UI is gone through the API', async (t) => {
  const { page } = w;
  await page.goto(`${agent.base}/ui/kv/app/created`, { waitUntil: 'load' });
  await page.waitForSelector('button[data-action="delete"]');
  await page.click('button[data-action="delete"]');
  await page.click('button[data-action="confirm-delete"]');
  await page.waitForFunction(() => location.pathname === '/ui/kv/app/');
  await waitForApi(async () => (await kvText(agent.base, 'app/created')) === undefined, 'app/created to be deleted');
  await page.waitForFunction(() => !document.querySelector('tr[data-kv="app/created"]'));
  t.truthy(await page.$('tr[data-kv="app/existing"]'));
});

test.serial('a folder deleted in the UI takes every key under it', async (t) => {
  await api(agent.base, 'PUT', '/v1/kv/app/sub/one', '1');
  await api(agent.base, 'PUT', '/v1/kv/app/sub/deeper/two', '2');
  const { page } = w;
  await page.goto(`${agent.base}/ui/kv/app/sub/`, { waitUntil: 'load' });
  await page.waitForSelector('tr[data-kv="app/sub/deeper/"]');
  await page.click('button[data-action="delete-folder"]');
  await page.click('button[data-action="confirm-delete-folder"]');
  await page.waitForFunction(() => location.pathname === '/ui/kv/app/');
  await waitForApi(async () => (await kvText(agent.base, 'app/sub/one')) === undefined, 'app/sub/ to be deleted');
  t.is(await kvText(agent.base, 'app/sub/deeper/two'), undefined);
  t.is(await kvText(agent.base, 'app/existing'), 'keep me');
  await page.waitForFunction(() => !document.querySelector('tr[data-kv="app/sub/"]'));
});

test.serial('no console errors and no request to anything but the agent', (t) => {
  t.deepEqual(w.errors, []);
  t.deepEqual(w.foreign, []);
});
