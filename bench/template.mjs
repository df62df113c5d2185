// `npm run bench -- template [--containers C] [--services N] [--instances I] [--changes K] [--wait MS]`:
// (a) with Docker and nginx, C containers (default 50; 0 skips) each timed from `docker run` to
// the first request through nginx that it answers (see _template-nginx.mjs); then `concord
// template` over a big catalog. A dev agent gets N services × I instances (catalog registrations);
// one `concord template` process renders one template over all of them (`range services` →
// `service .Name`), talking to the agent through a counting HTTP proxy. Measured: the first
// complete render; then K changes (a new instance of a random service), each timed from the
// registration being acknowledged (committed) to the rendered file showing it; the requests the
// renderer sent per change (one blocking query per changed dependency is the target, never a
// burst over all of them); and the renderer's RSS and CPU while nothing changes.
import { mkdtempSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import { request as httpRequest, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { concordBin, median, printTargets, startChild, stop } from './_http-load.mjs';
import { dockerToNginx } from './_template-nginx.mjs';

const TARGETS = { changeP50Ms: 50, dockerP50Ms: 1000, dockerP99Ms: 2000 };

function parseArgs(args) {
  const o = { containers: 50, services: 1000, instances: 5, changes: 50, wait: 0 };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const v = Number(args[++i]);
    if (a === '--containers') o.containers = v;
    else if (a === '--services') o.services = v;
    else if (a === '--instances') o.instances = v;
    else if (a === '--changes') o.changes = v;
    else if (a === '--wait') o.wait = v;
    else throw new Error(`unknown argument ${a} (use --services N --instances I --changes K --wait MS)`);
  }
  if (!(o.containers >= 0 && o.services > 0 && o.instances > 0 && o.changes > 0 && o.wait >= 0)) throw new Error('arguments must be positive');
  return o;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/** A pass-through HTTP proxy that counts the requests it forwards. */
async function countingProxy(targetPort) {
  const stats = { requests: 0 };
  const server = createServer((req, res) => {
    stats.requests++;
    const up = httpRequest({ host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.maxConnections = 100_000;
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { port: server.address().port, stats, close: () => new Promise((r) => server.close(r)) };
}

async function put(port, path, body) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'PUT', body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`PUT ${path}: ${res.status} ${await res.text()}`);
}

function registration(svc, inst, port) {
  return {
    Node: `bench-node-${inst}`,
    Address: `10.1.${inst}.1`,
    Service: { ID: `svc-${svc}-${inst}-${port}`, Service: `svc-${svc}`, Port: port, Tags: ['bench'] },
  };
}

/** utime+stime (clock ticks) and RSS (kB) of a process, from /proc. */
function procUsage(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return { ticks, rssKb: rss };
}

export async function run(args) {
  const o = parseArgs(args);
  const dockerRows = [];
  if (o.containers > 0) {
    console.log(`(a) ${o.containers} containers: docker run → first request through nginx ...`);
    const lat = await dockerToNginx(o.containers);
    const p50 = quantile(lat, 0.5);
    const p99 = quantile(lat, 0.99);
    console.log(`docker run → served by nginx  p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms, max ${lat.at(-1).toFixed(0)} ms`);
    dockerRows.push(['docker run → nginx p50', `${p50.toFixed(0)} ms`, `≤ ${TARGETS.dockerP50Ms} ms`, p50 <= TARGETS.dockerP50Ms]);
    dockerRows.push(['docker run → nginx p99', `${p99.toFixed(0)} ms`, `≤ ${TARGETS.dockerP99Ms} ms`, p99 <= TARGETS.dockerP99Ms]);
  }
  const dir = mkdtempSync(join(tmpdir(), 'concord-bench-template-'));
  const agent = await startChild(
    process.execPath,
    [concordBin, 'agent', '-dev', '-node', 'bench-template', '-http-port', '0', '-dns-port', '-1', '-server-port', '0', '-serf-lan-port', '0', '-log-level', 'warn'],
    (out) => /Client Addr: .*\(HTTP: (\d+)/.exec(out)?.[1],
  );
  const agentPort = Number(agent.value);
  let renderer;
  const proxy = await countingProxy(agentPort);
  try {
    console.log(`registering ${o.services} services × ${o.instances} instances ...`);
    const jobs = [];
    for (let s = 0; s < o.services; s++) for (let i = 0; i < o.instances; i++) jobs.push([s, i]);
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < jobs.length) {
          const [s, i] = jobs[next++];
          await put(agentPort, '/v1/catalog/register', registration(s, i, 20000 + i));
        }
      }),
    );
    const src = join(dir, 'all.ctmpl');
    const dest = join(dir, 'all.out');
    writeFileSync(src, '{{ range services }}{{ range service .Name }}{{ .Name }} {{ .Address }}:{{ .Port }}\n{{ end }}{{ end }}');
    const started = Date.now();
    const waitArgs = o.wait > 0 ? ['-wait', `${o.wait}ms:${o.wait * 4}ms`] : [];
    renderer = await startChild(
      process.execPath,
      [concordBin, 'template', '-consul-addr', `127.0.0.1:${proxy.port}`, '-template', `${src}:${dest}`, '-log-level', 'info', ...waitArgs],
      (out) => (/rendered/.test(out) ? true : undefined),
    );
    const expectedLines = o.services * o.instances;
    for (;;) {
      let lines = 0;
      try {
        lines = readFileSync(dest, 'utf8').split('\n').length - 1;
      } catch {}
      if (lines >= expectedLines) break;
      if (Date.now() - started > 300_000) throw new Error('first render did not complete in 5 minutes');
      await sleep(20);
    }
    const firstRenderMs = Date.now() - started;
    const requestsAfterFirst = proxy.stats.requests;
    await sleep(2000);

    // At rest: CPU and RSS over a quiet period, and requests sent meanwhile.
    const before = procUsage(renderer.child.pid);
    const restRequests0 = proxy.stats.requests;
    const REST_MS = 5000;
    await sleep(REST_MS);
    const after = procUsage(renderer.child.pid);
    const cpuAtRest = ((after.ticks - before.ticks) / 100 / (REST_MS / 1000)) * 100;
    const restRequests = proxy.stats.requests - restRequests0;

    // Changes: a new instance of a random service, timed until it is in the file.
    const latencies = [];
    const perChange = [];
    for (let k = 0; k < o.changes; k++) {
      const svc = Math.floor(Math.random() * o.services);
      const reg = registration(svc, o.instances + (k % 200), 30000 + k);
      const needle = `svc-${svc} ${reg.Address}:${reg.Service.Port}\n`;
      const req0 = proxy.stats.requests;
      await put(agentPort, '/v1/catalog/register', reg);
      const committed = performance.now();
      // Woken by the rename into the directory (a slow poll as a fallback), so checking does not
      // compete with the renderer for the CPU.
      for (;;) {
        if (readFileSync(dest, 'utf8').includes(needle)) break;
        if (performance.now() - committed > 30_000) throw new Error(`change ${k} not rendered within 30 s`);
        await new Promise((resolve) => {
          const watcher = watch(dir, () => done());
          const timer = setTimeout(() => done(), 50);
          function done() {
            clearTimeout(timer);
            watcher.close();
            resolve();
          }
        });
      }
      latencies.push(performance.now() - committed - o.wait);
      await sleep(300);
      perChange.push(proxy.stats.requests - req0);
    }
    latencies.sort((a, b) => a - b);
    const rss = procUsage(renderer.child.pid).rssKb;
    console.log('');
    console.log(`services × instances      ${o.services} × ${o.instances} (${o.services + 1} dependencies)`);
    console.log(`first complete render     ${firstRenderMs} ms (${requestsAfterFirst} requests)`);
    console.log(
      `change → rendered         p50 ${quantile(latencies, 0.5).toFixed(1)} ms, p99 ${quantile(latencies, 0.99).toFixed(1)} ms, max ${latencies.at(-1).toFixed(1)} ms (${o.changes} changes${o.wait ? `, minus the ${o.wait} ms wait` : ''})`,
    );
    console.log(`requests per change       median ${median(perChange)}, max ${Math.max(...perChange)}`);
    console.log(`at rest (${REST_MS / 1000} s)            CPU ${cpuAtRest.toFixed(2)} %, ${restRequests} requests, RSS ${(rss / 1024).toFixed(1)} MiB`);
    printTargets([
      ...dockerRows,
      ['change → rendered p50', `${quantile(latencies, 0.5).toFixed(1)} ms`, `≤ ${TARGETS.changeP50Ms} ms`, quantile(latencies, 0.5) <= TARGETS.changeP50Ms],
      ['requests per change (max)', String(Math.max(...perChange)), '≤ 2 (the changed service and the service list)', Math.max(...perChange) <= 2],
    ]);
  } finally {
    if (renderer) await stop(renderer.child);
    await stop(agent.child);
    await proxy.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
