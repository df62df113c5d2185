// `npm run bench -- multidc [--runs N] [--requests R] [--seconds S]`: a read in another datacenter
// beside a local read, in the same run. Two single-server datacenters (dc1, dc2: `-dev` agents
// joined over the WAN on 127.0.0.1); the same 256-byte key is written in each. Measured through
// dc1's HTTP API:
//   - latency, one keep-alive connection, R sequential GETs per run: /v1/kv/k (answered by dc1)
//     vs /v1/kv/k?dc=dc2 (dc1 forwards it over the server RPC to dc2); p50 and p99 in ms, medians
//     over the runs; the goal is a cross-datacenter overhead (p50 difference) of at most 1 ms;
//   - throughput at 16 connections (wrk in its own process), dc2 reads vs local reads.
// Every agent listens on ephemeral ports and is killed by PID at the end.
import { Agent, request } from 'node:http';
import { children, compare, concordBin, median, printTable, printTargets, startChild, stop, until } from './_http-load.mjs';

const VALUE = Buffer.alloc(256, 'v');

async function startDc(dc) {
  const args = [
    concordBin, 'agent', '-dev', '-datacenter', dc, '-node', `bench-${dc}-${process.pid}`, '-bind', '127.0.0.1',
    '-http-port', '0', '-dns-port', '-1', '-server-port', '0', '-serf-lan-port', '0', '-serf-wan-port', '0', '-log-level', 'warn',
  ];
  const { child, value } = await startChild(process.execPath, args, (out) => {
    const m = /Client Addr: .*\(HTTP: (\d+)[\s\S]*WAN: (\d+)\)/.exec(out);
    return m ? { http: Number(m[1]), wan: Number(m[2]) } : undefined;
  });
  const url = `http://127.0.0.1:${value.http}`;
  await until(async () => (await fetch(`${url}/v1/kv/bench/k`, { method: 'PUT', body: VALUE })).ok, `${dc} to accept writes`);
  return { child, url, wan: value.wan };
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

function parseArgs(args) {
  const o = { runs: 3, requests: 2000, seconds: 5 };
  for (let i = 0; i < args.length; i++) {
    const [k, v] = args[i].includes('=') ? args[i].split('=') : [args[i], args[++i]];
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${k} needs a positive integer`);
    if (k === '--runs') o.runs = n;
    else if (k === '--requests') o.requests = n;
    else if (k === '--seconds') o.seconds = n;
    else throw new Error(`unknown flag ${k}`);
  }
  return o;
}

export async function run(args) {
  const opts = parseArgs(args);
  const dc1 = await startDc('dc1');
  const dc2 = await startDc('dc2');
  try {
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
    const overhead = median(remote.p50) - median(local.p50);
    printTargets([
      ['local read p50 / p99 (1 connection)', `${median(local.p50).toFixed(3)} / ${median(local.p99).toFixed(3)} ms`, 'reported', undefined],
      ['dc2 read p50 / p99 (1 connection)', `${median(remote.p50).toFixed(3)} / ${median(remote.p99).toFixed(3)} ms`, 'reported', undefined],
      ['cross-datacenter overhead (p50)', `${overhead.toFixed(3)} ms`, '<= 1 ms', overhead <= 1],
    ]);
  } finally {
    await Promise.all([...children].map((c) => stop(c)));
  }
}
