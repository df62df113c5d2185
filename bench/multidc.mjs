// `npm run bench -- multidc [--runs N] [--requests R] [--seconds S] [--failovers F]`: a read in another datacenter
// beside a local read, in the same run. Two single-server datacenters (dc1, dc2: `-dev` agents
// joined over the WAN on 127.0.0.1); the same 256-byte key is written in each. Measured through
// dc1's HTTP API:
//   - latency, one keep-alive connection, R sequential GETs per run: /v1/kv/k (answered by dc1)
//     vs /v1/kv/k?dc=dc2 (dc1 forwards it over the server RPC to dc2); p50 and p99 in ms, medians
//     over the runs; the goal is a cross-datacenter overhead (p50 difference) of at most 1 ms;
//   - throughput at 16 connections (wrk in its own process), dc2 reads vs local reads;
//   - prepared query failover: dc1's only instance of `fo` (a TTL check on dc1's agent) goes
//     critical, and the time until dc1's DNS answers `fo.query.consul` with dc2's instance is
//     measured (query `Failover: {NearestN: 1}`, default settings); then the check passes and the
//     time back to dc1's instance too. Medians and maxima over --failovers rounds (default 10);
//     the goal is at most 2 s, through dc1's server's DNS and through a dc1 client agent's. The load average is printed with it: figures taken on a busy
//     machine (load of 3 or more on the shared runners) say little.
// Every agent listens on ephemeral ports and is killed by PID at the end.
import { Resolver } from 'node:dns/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'node:http';
import { children, compare, concordBin, loadAverage, median, printTable, printTargets, startChild, stop, until } from './_http-load.mjs';

const VALUE = Buffer.alloc(256, 'v');

async function startDc(dc) {
  const args = [
    concordBin,
    'agent',
    '-dev',
    '-datacenter',
    dc,
    '-node',
    `bench-${dc}-${process.pid}`,
    '-bind',
    '127.0.0.1',
    '-http-port',
    '0',
    '-dns-port',
    '0',
    '-server-port',
    '0',
    '-serf-lan-port',
    '0',
    '-serf-wan-port',
    '0',
    '-log-level',
    'warn',
  ];
  const { child, value } = await startChild(process.execPath, args, bannerPorts);
  const url = `http://127.0.0.1:${value.http}`;
  await until(async () => (await fetch(`${url}/v1/kv/bench/k`, { method: 'PUT', body: VALUE })).ok, `${dc} to accept writes`);
  return { child, url, wan: value.wan, dns: value.dns, lan: value.lan };
}

function bannerPorts(out) {
  const m = /Client Addr: .*\(HTTP: (\d+).*DNS: (\d+)\)[\s\S]*\(LAN: (\d+), WAN: (-?\d+)\)/.exec(out);
  return m ? { http: Number(m[1]), dns: Number(m[2]), lan: Number(m[3]), wan: Number(m[4]) } : undefined;
}

/** A client agent of dc1 (default settings) joined to dc1's server, with DNS on. */
async function startClientOf(server, dataDir) {
  const args = [
    concordBin,
    'agent',
    '-datacenter',
    'dc1',
    '-node',
    `bench-dc1-client-${process.pid}`,
    '-data-dir',
    dataDir,
    '-bind',
    '127.0.0.1',
    '-http-port',
    '0',
    '-dns-port',
    '0',
    '-serf-lan-port',
    '0',
    '-join',
    `127.0.0.1:${server.lan}`,
    '-log-level',
    'warn',
  ];
  const { child, value } = await startChild(process.execPath, args, bannerPorts);
  const url = `http://127.0.0.1:${value.http}`;
  await until(async () => (await fetch(`${url}/v1/kv/bench/k`)).ok, 'the client agent to reach its server');
  return { child, url, dns: value.dns };
}

/** R sequential GETs of `path` on one keep-alive connection; latencies in ms. */
async function sequential(url, path, count) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const { hostname, port } = new URL(url);
  const one = () =>
    new Promise((resolve, reject) => {
      const start = process.hrtime.bigint();
      const req = request({ host: hostname, port, path, agent }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve(Number(process.hrtime.bigint() - start) / 1e6) : reject(new Error(`${path}: ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end();
    });
  const out = [];
  for (let i = 0; i < count; i++) out.push(await one());
  agent.destroy();
  return out;
}

function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

const put = async (url, path, body) => {
  const r = await fetch(`${url}${path}`, { method: 'PUT', ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  if (!r.ok) throw new Error(`PUT ${path}: ${r.status} ${await r.text()}`);
};

/** Milliseconds from `act()` until each resolver answers `name` with `want`, each asked every 5 ms. */
async function timeUntilDns(resolvers, name, want, act) {
  const started = performance.now();
  await act();
  return Promise.all(
    resolvers.map(async (resolver) => {
      for (;;) {
        const got = await resolver.resolve4(name).catch(() => []);
        if (got.length === 1 && got[0] === want) return performance.now() - started;
        if (performance.now() - started > 30_000) throw new Error(`${name} did not answer ${want} within 30 s`);
        await new Promise((r) => setTimeout(r, 5));
      }
    }),
  );
}

function resolverAt(port) {
  const resolver = new Resolver({ timeout: 1000, tries: 1 });
  resolver.setServers([`127.0.0.1:${port}`]);
  return resolver;
}

/**
 * Prepared query failover times: dc1's only `fo` instance (a TTL check on dc1's own agent) goes
 * critical, then passes again; each time, how long until the DNS of dc1's server and of a dc1
 * client agent answer from the other side.
 */
async function failoverTimes(dc1, client, rounds) {
  await put(dc1.url, '/v1/agent/service/register', { ID: 'fo', Name: 'fo', Port: 80, Check: { TTL: '10m' } });
  await put(dc1.url, '/v1/agent/check/pass/service:fo');
  await put(dc1.url, '/v1/catalog/register', {
    Datacenter: 'dc2',
    Node: 'fo-dc2',
    Address: '10.20.0.1',
    Service: { ID: 'fo', Service: 'fo', Port: 80 },
    Check: { CheckID: 'fo', Name: 'fo', ServiceID: 'fo', Status: 'passing' },
  });
  const created = await fetch(`${dc1.url}/v1/query`, { method: 'POST', body: JSON.stringify({ Name: 'fo', Service: { Service: 'fo', Failover: { NearestN: 1 } } }) });
  if (!created.ok) throw new Error(`query create: ${await created.text()}`);
  const resolvers = [resolverAt(dc1.dns), resolverAt(client.dns)];
  for (const r of resolvers) await until(async () => (await r.resolve4('fo.query.consul'))[0] === '127.0.0.1', 'the local instance over DNS');
  const server = { away: [], back: [] };
  const viaClient = { away: [], back: [] };
  for (let i = 0; i < rounds; i++) {
    const away = await timeUntilDns(resolvers, 'fo.query.consul', '10.20.0.1', () => put(dc1.url, '/v1/agent/check/fail/service:fo'));
    const back = await timeUntilDns(resolvers, 'fo.query.consul', '127.0.0.1', () => put(dc1.url, '/v1/agent/check/pass/service:fo'));
    server.away.push(away[0]);
    viaClient.away.push(away[1]);
    server.back.push(back[0]);
    viaClient.back.push(back[1]);
    process.stderr.write(
      `  failover ${i + 1}: to dc2 ${away.map((x) => x.toFixed(1)).join(' / ')} ms, back ${back.map((x) => x.toFixed(1)).join(' / ')} ms (server / client DNS)\n`,
    );
  }
  return { server, viaClient };
}

function parseArgs(args) {
  const o = { runs: 3, requests: 2000, seconds: 5, failovers: 10 };
  for (let i = 0; i < args.length; i++) {
    const [k, v] = args[i].includes('=') ? args[i].split('=') : [args[i], args[++i]];
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${k} needs a positive integer`);
    if (k === '--runs') o.runs = n;
    else if (k === '--requests') o.requests = n;
    else if (k === '--seconds') o.seconds = n;
    else if (k === '--failovers') o.failovers = n;
    else throw new Error(`unknown flag ${k}`);
  }
  return o;
}

export async function run(args) {
  const opts = parseArgs(args);
  const dc1 = await startDc('dc1');
  const dc2 = await startDc('dc2');
  const dataDir = mkdtempSync(join(tmpdir(), 'concord-multidc-bench-'));
  try {
    const client = await startClientOf(dc1, dataDir);
    const joined = await fetch(`${dc2.url}/v1/agent/join/127.0.0.1:${dc1.wan}?wan=1`, { method: 'PUT' });
    if (!joined.ok) throw new Error(`WAN join failed: ${await joined.text()}`);
    await until(async () => (await fetch(`${dc1.url}/v1/kv/bench/k?dc=dc2`)).ok, 'dc1 to reach dc2');
    await sequential(dc1.url, '/v1/kv/bench/k', 200);
    await sequential(dc1.url, '/v1/kv/bench/k?dc=dc2', 200);
    const local = { p50: [], p99: [] };
    const remote = { p50: [], p99: [] };
    for (let i = 0; i < opts.runs; i++) {
      const l = await sequential(dc1.url, '/v1/kv/bench/k', opts.requests);
      const r = await sequential(dc1.url, '/v1/kv/bench/k?dc=dc2', opts.requests);
      local.p50.push(percentile(l, 50));
      local.p99.push(percentile(l, 99));
      remote.p50.push(percentile(r, 50));
      remote.p99.push(percentile(r, 99));
      process.stderr.write(`  run ${i + 1}: local p50 ${percentile(l, 50).toFixed(3)} ms, dc2 p50 ${percentile(r, 50).toFixed(3)} ms\n`);
    }
    const row = {
      name: 'GET kv ?dc=dc2 vs local',
      connections: 16,
      anchorName: 'local GET kv',
      target: 0,
    };
    const line = await compare(
      row,
      { kind: 'get', url: dc1.url, path: '/v1/kv/bench/k?dc=dc2', connections: 16 },
      { kind: 'get', url: dc1.url, path: '/v1/kv/bench/k', connections: 16 },
      { runs: opts.runs, seconds: opts.seconds },
    );
    printTable([line]);
    const failover = await failoverTimes(dc1, client, opts.failovers);
    const overhead = median(remote.p50) - median(local.p50);
    const times = (xs) => `${median(xs).toFixed(1)} / ${Math.max(...xs).toFixed(1)} ms`;
    console.log(`\n# load average at the end: ${loadAverage()}`);
    printTargets([
      ['local read p50 / p99 (1 connection)', `${median(local.p50).toFixed(3)} / ${median(local.p99).toFixed(3)} ms`, 'reported', undefined],
      ['dc2 read p50 / p99 (1 connection)', `${median(remote.p50).toFixed(3)} / ${median(remote.p99).toFixed(3)} ms`, 'reported', undefined],
      ['cross-datacenter overhead (p50)', `${overhead.toFixed(3)} ms`, '<= 1 ms', overhead <= 1],
      ['last local instance critical -> server DNS from dc2 (median / max)', times(failover.server.away), '<= 2000 ms', Math.max(...failover.server.away) <= 2000],
      ['last local instance critical -> client agent DNS from dc2 (median / max)', times(failover.viaClient.away), '<= 2000 ms', Math.max(...failover.viaClient.away) <= 2000],
      [
        'local instance passing again -> server / client DNS from dc1 (medians)',
        `${median(failover.server.back).toFixed(1)} / ${median(failover.viaClient.back).toFixed(1)} ms`,
        'reported',
        undefined,
      ],
    ]);
  } finally {
    await Promise.all([...children].map((c) => stop(c)));
    rmSync(dataDir, { recursive: true, force: true });
  }
}
