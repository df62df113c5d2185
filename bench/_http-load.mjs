// Shared pieces of the HTTP benchmarks: autocannon load in a child process (this module run as a
// script), child servers killed by PID, etcd lookup, medians, side-by-side comparison and the table.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '..');
export const concordBin = join(root, 'packages', 'cli', 'bin', 'concord.js');
export const STARTUP_MS = 20_000;

// ---- load generator (runs in its own process) -------------------------------------------------

if (process.env.HTTP_BENCH_WORKER) {
  await loadWorker(JSON.parse(process.env.HTTP_BENCH_WORKER));
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
  } else if (spec.kind === 'etcd-range') {
    request = {
      method: 'POST',
      path: '/v3/kv/range',
      body: JSON.stringify({ key: Buffer.from(spec.key).toString('base64'), serializable: spec.serializable === true }),
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
export function load(spec) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url)], {
      env: { ...process.env, HTTP_BENCH_WORKER: JSON.stringify(spec) },
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

export const children = new Set();
process.on('exit', () => {
  for (const child of children) kill(child, 'SIGKILL');
});

export function kill(child, signal = 'SIGTERM') {
  if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(child.pid, signal);
    } catch {
      // already gone
    }
  }
}

export async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  kill(child);
  const timer = setTimeout(() => kill(child, 'SIGKILL'), 3000);
  await gone;
  clearTimeout(timer);
  children.delete(child);
}

export function startChild(cmd, args, ready) {
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

export function ensureEtcd() {
  const find = () => ['/usr/bin/etcd', '/usr/local/bin/etcd'].find((p) => existsSync(p));
  if (find()) return find();
  process.stderr.write('etcd not found; installing etcd-server with apt-get\n');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'etcd-server'], { stdio: 'inherit', env });
  const bin = find();
  if (!bin) throw new Error('etcd-server installed but no etcd binary found');
  return bin;
}

export async function freePorts(n) {
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

export async function until(check, what) {
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

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Runs subject and anchor alternately, `runs` times after a short warm-up of each. */
export async function compare(row, subject, anchor, opts) {
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

export function fmt(n) {
  return Math.round(n).toLocaleString('en-US');
}

export function printTable(rows) {
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

