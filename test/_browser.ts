/**
 * Debian's chromium, headless, driven by puppeteer-core (no browser download), with a record of
 * what each page logged and asked for, so tests can require zero console errors and zero
 * requests to anything but the agent. Screenshots go to test/artifacts/ui (git-ignored).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Scope } from '@concord/testkit';
import { ROOT } from '@concord/testkit';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = join(ROOT, 'test', 'artifacts', 'ui');

export interface WatchedPage {
  page: Page;
  /** Console errors, uncaught exceptions and failed loads the page reported. */
  errors: string[];
  /** Every URL the page requested that is not on the agent (data: URLs aside). */
  foreign: string[];
  /** Every URL the page requested. */
  requests: string[];
}

/** Launches headless chromium, closed at the scope's teardown. */
export async function launchBrowser(t: Scope): Promise<Browser> {
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-dev-shm-usage',
      '--disable-gpu',
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-extensions',
    ],
    protocolTimeout: 60_000,
  });
  t.teardown(() => browser.close());
  return browser;
}

/** A new page at 1280×800 that records console errors and requests that leave the agent. */
export async function watchedPage(browser: Browser, base: string, options: { dark?: boolean } = {}): Promise<WatchedPage> {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 800 });
  await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: options.dark ? 'dark' : 'light' }]);
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  const foreign: string[] = [];
  const requests: string[] = [];
  const origin = new URL(base).origin;
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()} (${msg.location().url ?? ''})`);
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err instanceof Error ? err.message : String(err)}`));
  page.on('requestfailed', (req) => {
    // A blocking query cut short by navigation is aborted on purpose.
    if (req.failure()?.errorText !== 'net::ERR_ABORTED') errors.push(`requestfailed: ${req.url()} ${req.failure()?.errorText}`);
  });
  page.on('request', (req) => {
    const url = req.url();
    requests.push(url);
    if (!url.startsWith('data:') && new URL(url).origin !== origin) foreign.push(url);
  });
  return { page, errors, foreign, requests };
}

/** Saves a full-page screenshot as test/artifacts/ui/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** The visible text of the page's main area. */
export function mainText(page: Page): Promise<string> {
  return page.$eval('main', (el) => (el as HTMLElement).innerText);
}

/** Waits until the main area's text contains `text`. */
export async function waitForText(page: Page, text: string, timeoutMs = 15_000): Promise<void> {
  await page.waitForFunction((t: string) => document.querySelector('main')?.textContent?.includes(t) ?? false, { timeout: timeoutMs, polling: 50 }, text);
}
