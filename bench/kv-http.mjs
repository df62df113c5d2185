// `npm run bench -- kv-http [--runs N] [--seconds S] [--only dev|durable]`: KV over HTTP with
// 256-byte values, load from autocannon in a separate process, side by side with an anchor in the
// same run:
//   (a) GET and PUT /v1/kv/<key> on a `-dev` agent vs a bare node:http server answering the same
//       bytes (1 and 64 connections);
//   (b) PUT on the durable single server (-server -bootstrap-expect=1 -data-dir, fsync on) vs a
//       1-member etcd (Debian etcd-server, JSON gateway POST /v3/kv/put, fsync on) at 64 and 256
//       connections.
// Prints the median requests/s over the runs and the ratio to the anchor. Every PUT writes a new
// key, so no server can skip an identical write. All servers listen on 127.0.0.1 ephemeral ports
// and are killed by PID at the end.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const concordBin = join(root, 'packages', 'cli', 'bin', 'concord.js');
const VALUE = Buffer.alloc(256, 'v');
const STARTUP_MS = 20_000;

// ---- load generator (runs in its own process) -------------------------------------------------

if (process.env.KV_HTTP_BENCH_WORKER) {
  await loadWorker(JSON.parse(process.env.KV_HTTP_BENCH_WORKER));
}

/** Child side: runs autocannon once and prints its summary as JSON. */
async function loadWorker(spec) {
  const { default: autocannon } = await import('autocannon');
  const value = Buffer.alloc(256, 'v');
  let seq = 0;
  const tag = `${process.pid}-${Date.now().toString(36)}`;
  let request;
  if (spec.kind === 'get') {
    request = { method: 'GET', path: spec.path };
  } else if (spec.kind === 'put') {
    request = {
      method: 'PUT',
      setupRequest: (req) => ({ ...req, path: `${spec.path}/${tag}/${seq++}`, body: value }),
    };
  } else {
    request = {
      method: 'POST',
      path: '/v3/kv/put',
      setupRequest: (req) => ({
        ...req,
        body: JSON.stringify({
          key: Buffer.from(`bench/${tag}/${seq++}`).toString('base64'),
          value: value.toString('base64'),
        }),
      }),
    };
  }
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.seconds,
    pipelining: 1,
    timeout: 10,
    requests: [request],
  });
  process.stdout.write(
    `${JSON.stringify({
      rps: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      ok: result['2xx'],
      non2xx: result.non2xx,
      errors: result.errors + result.timeouts,
    })}\n`,
  );
  process.exit(0);
}

/** Parent side: one autocannon run in a child process. */
function load(spec) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url)], {
      env: { ...process.env, KV_HTTP_BENCH_WORKER: JSON.stringify(spec) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    const timer = setTimeout(() => kill(child), (spec.seconds + 30) * 1000);
    child.on('close', (code) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1)));
      } catch {
        reject(new Error(`load generator exited with ${code}: ${out}`));
      }
    });
  });
}

// ---- servers ----------------------------------------------------------------------------------

const children = new Set();
process.on('exit', () => {
  for (const child of children) kill(child, 'SIGKILL');
});

function kill(child, signal = 'SIGTERM') {
  if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(child.pid, signal);
    } catch {
      // already gone
    }
  }
}

async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  kill(child);
  const timer = setTimeout(() => kill(child, 'SIGKILL'), 3000);
  await gone;
  clearTimeout(timer);
  children.delete(child);
}

function startChild(cmd, args, ready) {
  const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${cmd} did not start in time:\n${output.slice(-3000)}`)), STARTUP_MS);
    const onData = (c) => {
      output += c;
      if (output.length > 100_000) output = output.slice(-50_000);
      const value = ready(output);
      if (value !== undefined) {
        clearTimeout(timer);
        resolve({ child, value });
      }
    };
    const fail = (err) => {
      clearTimeout(timer);
      kill(child, 'SIGKILL');
      reject(err);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => fail(new Error(`${cmd} exited with ${code}:\n${output.slice(-3000)}`)));
  });
}

async function startConcord(extra) {
  const args = [concordBin, 'agent', '-node', `bench-${process.pid}`, '-http-port', '0', '-dns-port', '-1', '-server-port', '0', '-serf-lan-port', '0', '-log-level', 'warn', ...extra];
  const { child, value: port } = await startChild(process.execPath, args, (out) => {
    const m = /Client Addr: .*\(HTTP: (\d+)/.exec(out);
    return m ? Number(m[1]) : undefined;
  });
  const url = `http://127.0.0.1:${port}`;
  await until(async () => {
    const res = await fetch(`${url}/v1/kv/bench/ready`, { method: 'PUT', body: 'x' });
    return res.ok && (await res.text()) === 'true';
  }, 'concord to accept writes');
  return { child, url };
}

/** A bare node:http server answering GET with the given bytes and headers, PUT with `true`. */
async function startBare(getBody, getHeaders) {
  const script = `
    const http = require('node:http');
    const body = Buffer.from(process.env.BODY, 'base64');
    const headers = JSON.parse(process.env.HEADERS);
    const server = http.createServer((req, res) => {
      if (req.method === 'GET') { res.writeHead(200, headers); res.end(body); return; }
      req.on('data', () => {});
      req.on('end', () => { res.writeHead(200, { 'Content-Type': 'application/json' }); res.end('true'); });
    });
    server.keepAliveTimeout = 60000;
    server.listen(0, '127.0.0.1', () => console.log('PORT ' + server.address().port));`;
  const child = spawn(process.execPath, ['-e', script], {
    env: { ...process.env, BODY: getBody.toString('base64'), HEADERS: JSON.stringify(getHeaders) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const port = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      const m = /PORT (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`bare server exited with ${code}`)));
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

function ensureEtcd() {
  const find = () => ['/usr/bin/etcd', '/usr/local/bin/etcd'].find((p) => existsSync(p));
  if (find()) return find();
  process.stderr.write('etcd not found; installing etcd-server with apt-get\n');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'etcd-server'], { stdio: 'inherit', env });
  const bin = find();
  if (!bin) throw new Error('etcd-server installed but no etcd binary found');
  return bin;
}

async function startEtcd(dataDir) {
  const bin = ensureEtcd();
  const [client, peer] = await freePorts(2);
  const clientUrl = `http://127.0.0.1:${client}`;
  const peerUrl = `http://127.0.0.1:${peer}`;
  const args = [
    '--name', 'bench',
    '--data-dir', dataDir,
    '--listen-client-urls', clientUrl,
    '--advertise-client-urls', clientUrl,
    '--listen-peer-urls', peerUrl,
    '--initial-advertise-peer-urls', peerUrl,
    '--initial-cluster', `bench=${peerUrl}`,
    '--log-level', 'warn',
  ];
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...(process.arch === 'arm64' ? { ETCD_UNSUPPORTED_ARCH: 'arm64' } : {}) } });
  children.add(child);
  let err = '';
  child.stderr.on('data', (c) => (err = (err + c).slice(-5000)));
  await until(async () => {
    if (child.exitCode !== null) throw new Error(`etcd exited with ${child.exitCode}: ${err}`);
    const res = await fetch(`${clientUrl}/v3/kv/put`, {
      method: 'POST',
      body: JSON.stringify({ key: Buffer.from('bench/ready').toString('base64'), value: 'eA==' }),
    });
    return res.ok;
  }, 'etcd to accept writes');
  return { child, url: clientUrl };
}

async function freePorts(n) {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise((r) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => r(s));
    })),
  );
  const ports = servers.map((s) => s.address().port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

async function until(check, what) {
  const deadline = Date.now() + STARTUP_MS;
  for (;;) {
    try {
      if (await check()) return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// ---- measurement ------------------------------------------------------------------------------

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Runs subject and anchor alternately, `runs` times after a short warm-up of each. */
async function compare(row, subject, anchor, opts) {
  const results = { subject: [], anchor: [] };
  await load({ ...subject, seconds: 1 });
  await load({ ...anchor, seconds: 1 });
  for (let i = 0; i < opts.runs; i++) {
    results.subject.push(await load({ ...subject, seconds: opts.seconds }));
    results.anchor.push(await load({ ...anchor, seconds: opts.seconds }));
  }
  const sum = (list) => ({
    rps: median(list.map((r) => r.rps)),
    p50: median(list.map((r) => r.p50)),
    p99: median(list.map((r) => r.p99)),
    bad: list.reduce((n, r) => n + r.non2xx + r.errors, 0),
  });
  const s = sum(results.subject);
  const a = sum(results.anchor);
  const line = { ...row, subject: s, anchor: a, ratio: a.rps > 0 ? s.rps / a.rps : 0 };
  process.stderr.write(`  ${row.name} c=${row.connections}: ${fmt(s.rps)} vs ${fmt(a.rps)} req/s\n`);
  return line;
}

function fmt(n) {
  return Math.round(n).toLocaleString('en-US');
}

function printTable(rows) {
  const header = ['scenario', 'conns', 'concord req/s', 'p50/p99 ms', 'anchor', 'anchor req/s', 'p50/p99 ms', 'ratio', 'target', 'errors'];
  const body = rows.map((r) => [
    r.name,
    String(r.connections),
    fmt(r.subject.rps),
    `${r.subject.p50}/${r.subject.p99}`,
    r.anchorName,
    fmt(r.anchor.rps),
    `${r.anchor.p50}/${r.anchor.p99}`,
    `${r.ratio.toFixed(2)}x`,
    `>= ${r.target.toFixed(2)}x ${r.ratio >= r.target ? 'ok' : 'MISS'}`,
    String(r.subject.bad + r.anchor.bad),
  ]);
  const all = [header, ...body];
  const widths = header.map((_, i) => Math.max(...all.map((row) => row[i].length)));
  const line = (row) => row.map((c, i) => (i < 2 || i === 4 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of body) console.log(line(row));
}

function parseArgs(args) {
  const opts = { runs: 3, seconds: 3, only: undefined };
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split('=');
    const value = inline ?? args[++i];
    if (flag === '--runs') opts.runs = Math.max(1, Number(value));
    else if (flag === '--seconds') opts.seconds = Math.max(1, Number(value));
    else if (flag === '--only') opts.only = value;
    else throw new Error(`unknown argument ${args[i]} (use --runs N, --seconds S, --only dev|durable)`);
  }
  return opts;
}

export async function run(args) {
  const opts = parseArgs(args);
  const rows = [];
  const dirs = [];
  console.log(`# kv-http: 256-byte values, median of ${opts.runs} runs x ${opts.seconds}s, autocannon in a child process`);
  try {
    if (opts.only !== 'durable') {
      const dev = await startConcord(['-dev']);
      await fetch(`${dev.url}/v1/kv/bench/get`, { method: 'PUT', body: VALUE });
      const sample = await fetch(`${dev.url}/v1/kv/bench/get`);
      const body = Buffer.from(await sample.arrayBuffer());
      const headers = {};
      for (const name of ['content-type', 'x-consul-index', 'x-consul-knownleader', 'x-consul-lastcontact', 'x-consul-effective-consistency', 'x-consul-default-acl-policy']) {
        const v = sample.headers.get(name);
        if (v !== null) headers[name] = v;
      }
      const bare = await startBare(body, headers);
      for (const connections of [1, 64]) {
        rows.push(
          await compare(
            { name: 'dev GET /v1/kv', connections, anchorName: 'bare node:http', target: 0.75 },
            { kind: 'get', url: dev.url, path: '/v1/kv/bench/get', connections },
            { kind: 'get', url: bare.url, path: '/v1/kv/bench/get', connections },
            opts,
          ),
        );
      }
      for (const connections of [1, 64]) {
        rows.push(
          await compare(
            { name: 'dev PUT /v1/kv', connections, anchorName: 'bare node:http', target: 0.5 },
            { kind: 'put', url: dev.url, path: '/v1/kv/bench/put', connections },
            { kind: 'put', url: bare.url, path: '/v1/kv/bench/put', connections },
            opts,
          ),
        );
      }
      await stop(dev.child);
      await stop(bare.child);
    }
    if (opts.only !== 'dev') {
      const concordDir = mkdtempSync(join(tmpdir(), 'concord-bench-'));
      const etcdDir = mkdtempSync(join(tmpdir(), 'etcd-bench-'));
      dirs.push(concordDir, etcdDir);
      const durable = await startConcord(['-server', '-bootstrap-expect=1', '-data-dir', concordDir, '-bind', '127.0.0.1', '-client', '127.0.0.1']);
      const etcd = await startEtcd(etcdDir);
      for (const connections of [64, 256]) {
        rows.push(
          await compare(
            { name: 'durable PUT /v1/kv', connections, anchorName: 'etcd 1-member', target: 1.0 },
            { kind: 'put', url: durable.url, path: '/v1/kv/bench/put', connections },
            { kind: 'etcd', url: etcd.url, connections },
            opts,
          ),
        );
      }
      await stop(durable.child);
      await stop(etcd.child);
    }
  } finally {
    await Promise.all([...children].map(stop));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
  console.log('');
  printTable(rows);
}
