// `npm run bench -- ui [--runs N]`: the web UI in Debian's headless chromium against a `-dev`
// agent holding 500 and then 5,000 services (registered through /v1/catalog/register on 50 nodes).
// Measures, as medians over the runs:
//   - navigation to /ui/services until the list's first rows are on screen (target <= 1 s at 500),
//     beside the anchor: the same page fetching /v1/internal/ui/services itself (the API's floor);
//   - with 5,000 services: one keystroke in the search box until the filtered list is painted, and
//     "next page" until the next 100 rows are painted (target <= 100 ms each: the page stays
//     responsive because it renders one page of 100 rows, whatever the total).
// The agent listens on an ephemeral 127.0.0.1 port and is killed by PID at the end.
import { children, concordBin, loadAverage, median, startChild, stop } from './_http-load.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const NODES = 50;

function parseArgs(args) {
  const runs = Number(args[args.indexOf('--runs') + 1]);
  return { runs: args.includes('--runs') && runs > 0 ? runs : 5 };
}

async function startAgent() {
  const args = [
    concordBin,
    'agent',
    '-dev',
    '-node',
    `bench-ui-${process.pid}`,
    '-http-port',
    '0',
    '-dns-port',
    '-1',
    '-server-port',
    '0',
    '-serf-lan-port',
    '0',
    '-log-level',
    'warn',
  ];
  const { child, value: port } = await startChild(process.execPath, args, (out) => {
    const m = /Client Addr: .*\(HTTP: (\d+)/.exec(out);
    return m ? Number(m[1]) : undefined;
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

/** Registers services svc-<from>..svc-<to-1>, one instance each with a passing check, 16 at a time. */
async function register(url, from, to) {
  let next = from;
  const worker = async () => {
    while (next < to) {
      const i = next++;
      const res = await fetch(`${url}/v1/catalog/register`, {
        method: 'PUT',
        body: JSON.stringify({
          Node: `bench-node-${i % NODES}`,
          Address: `10.0.${Math.floor((i % NODES) / 250)}.${(i % NODES) % 250}`,
          Service: { ID: `svc-${i}`, Service: `svc-${String(i).padStart(5, '0')}`, Port: 1000 + (i % 60000), Tags: [`team-${i % 7}`, 'bench'] },
          Check: { CheckID: `svc-${i}-check`, Name: 'alive', Status: i % 10 === 0 ? 'critical' : 'passing', ServiceID: `svc-${i}` },
        }),
      });
      if (!res.ok) throw new Error(`register svc-${i}: ${res.status} ${await res.text()}`);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

/** Milliseconds from navigation to the first rows of the services list on screen. */
async function timeVisible(browser, url, expected) {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 800 });
  const started = performance.now();
  await page.goto(`${url}/ui/services`, { waitUntil: 'domcontentloaded' });
  await page.waitForFunction(
    (n) => document.querySelector('[data-count]')?.textContent === `${n} services` && document.querySelector('tr[data-service]'),
    { polling: 'raf', timeout: 30_000 },
    expected,
  );
  const ms = performance.now() - started;
  await page.close();
  return ms;
}

/** Milliseconds for the page itself to fetch and parse /v1/internal/ui/services (the anchor). */
async function timeApi(browser, url) {
  const page = await browser.newPage();
  await page.goto(`${url}/ui/cluster`, { waitUntil: 'domcontentloaded' });
  const ms = await page.evaluate(async () => {
    const t0 = performance.now();
    const list = await (await fetch('/v1/internal/ui/services')).json();
    if (!Array.isArray(list)) throw new Error('not a list');
    return performance.now() - t0;
  });
  await page.close();
  return ms;
}

/** In-page milliseconds from an action until the next two animation frames (painted). */
async function timeInteraction(page, action) {
  return page.evaluate(async (kind) => {
    const t0 = performance.now();
    if (kind === 'search') {
      const input = document.querySelector('input[data-search]');
      input.value = input.value === '0' ? '01' : '0';
      input.dispatchEvent(new Event('input', { bubbles: true }));
    } else {
      const next = [...document.querySelectorAll('.pager button')].find((b) => b.textContent.includes('Next') && !b.disabled) ?? document.querySelector('.pager button');
      next.click();
    }
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    return performance.now() - t0;
  }, action);
}

function row(name, values, anchorName, anchorValues, target) {
  const m = median(values);
  const a = anchorValues ? median(anchorValues) : undefined;
  return [name, m.toFixed(0), anchorName, a === undefined ? '-' : a.toFixed(0), a === undefined ? '-' : `${(m / a).toFixed(1)}x`, `<= ${target} ms ${m <= target ? 'ok' : 'MISS'}`];
}

export async function run(args) {
  const { runs } = parseArgs(args);
  const { default: puppeteer } = await import('puppeteer-core');
  const agent = await startAgent();
  const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'] });
  const rows = [];
  try {
    await register(agent.url, 0, 500);
    const visible500 = [];
    const api500 = [];
    await timeVisible(browser, agent.url, 501);
    for (let i = 0; i < runs; i++) {
      visible500.push(await timeVisible(browser, agent.url, 501));
      api500.push(await timeApi(browser, agent.url));
    }
    rows.push(row('services visible, 500 services', visible500, 'API fetch', api500, 1000));

    await register(agent.url, 500, 5000);
    const visible5k = [];
    const api5k = [];
    for (let i = 0; i < runs; i++) {
      visible5k.push(await timeVisible(browser, agent.url, 5001));
      api5k.push(await timeApi(browser, agent.url));
    }
    rows.push(row('services visible, 5,000 services', visible5k, 'API fetch', api5k, 2000));

    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 800 });
    await page.goto(`${agent.url}/ui/services`, { waitUntil: 'domcontentloaded' });
    await page.waitForSelector('tr[data-service]', { timeout: 30_000 });
    const search = [];
    const paging = [];
    await timeInteraction(page, 'search');
    for (let i = 0; i < Math.max(runs, 5); i++) search.push(await timeInteraction(page, 'search'));
    await page.evaluate(() => {
      const input = document.querySelector('input[data-search]');
      input.value = '';
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await page.waitForFunction(() => document.querySelector('[data-count]')?.textContent === '5001 services');
    for (let i = 0; i < Math.max(runs, 5); i++) paging.push(await timeInteraction(page, 'next'));
    rows.push(row('search keystroke to paint, 5,000', search, '-', undefined, 100));
    rows.push(row('next page to paint, 5,000', paging, '-', undefined, 100));
  } finally {
    await browser.close();
    await stop(agent.child);
    for (const c of children) await stop(c);
  }
  const header = ['scenario', 'median ms', 'anchor', 'anchor ms', 'ratio', 'target'];
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  process.stdout.write(`ui bench: ${runs} runs, medians; load average ${loadAverage()}\n`);
  for (const r of all) process.stdout.write(`${r.map((c, i) => c.padEnd(widths[i])).join('  ')}\n`);
}
