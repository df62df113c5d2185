// Shared pieces of the HTTP benchmarks: wrk load in a child process, child servers killed by PID,
// etcd lookup, medians, side-by-side comparison and the table.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '..');
export const concordBin = join(root, 'packages', 'cli', 'bin', 'concord.js');
export const STARTUP_MS = 20_000;

// ---- load generator ---------------------------------------------------------------------------

if (process.env.HTTP_BENCH_WORKER) {
  await loadWorker(JSON.parse(process.env.HTTP_BENCH_WORKER));
}

/**
 * Child side, for loads that must present a client certificate (etcd with client-cert-auth),
 * which wrk cannot: autocannon once, its summary printed as JSON.
 */
async function loadWorker(spec) {
  const { default: autocannon } = await import('autocannon');
  const value = Buffer.alloc(256, 'v');
  let seq = 0;
  const tag = `${process.pid}-${Date.now().toString(36)}`;
  let request;
  if (spec.kind === 'get') {
    request = { method: 'GET', path: spec.path, ...(spec.headers ? { headers: spec.headers } : {}) };
  } else if (spec.kind === 'put') {
    request = {
      method: 'PUT',
      ...(spec.headers ? { headers: spec.headers } : {}),
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
  // etcd with client-cert-auth: present the client certificate (autocannon does not verify the server).
  const tlsOptions = spec.tls ? { cert: readFileSync(spec.tls.cert), key: readFileSync(spec.tls.key), ca: readFileSync(spec.tls.ca) } : undefined;
  const result = await autocannon({
    url: spec.url,
    ...(tlsOptions ? { tlsOptions } : {}),
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

/**
 * One run of Debian's `wrk` (C, one thread, keep-alive connections): a request fixed per run for
 * GET and etcd ranges, built by wrk once; for writes a Lua `request()` that only appends a counter
 * to a pre-built prefix, so that every PUT writes a new key. The generator costs far less per
 * request than any Node server, so the figures show the server's cost.
 * Resolves to { rps, p50, p99 (ms), ok, non2xx, errors }, and with `spec.pid` the server process's
 * CPU time per answered request (cpuUs, user + system from /proc): a figure that load from other
 * processes on a shared machine moves far less than requests/s.
 */
export async function load(spec) {
  // `pid`, or `pids` (a cluster: the CPU time of all its processes together)
  const pids = spec.pids ?? (spec.pid ? [spec.pid] : []);
  const cpuOf = () => {
    let total = 0;
    for (const pid of pids) {
      const t = cpuTimeUs(pid);
      if (t === undefined) return undefined;
      total += t;
    }
    return pids.length > 0 ? total : undefined;
  };
  const cpu0 = cpuOf();
  const result = await runWrk(spec);
  if (cpu0 !== undefined) {
    const cpu1 = cpuOf();
    const answered = result.ok + result.non2xx;
    if (cpu1 !== undefined && answered > 0) result.cpuUs = (cpu1 - cpu0) / answered;
  }
  return result;
}

/** User + system CPU time of a process in microseconds, or undefined when it is gone. */
export function cpuTimeUs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[11] and [12] are utime and stime (fields 14 and 15 of proc(5)), in clock ticks
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

function runWrk(spec) {
  if (spec.tls) return loadWithClientCertificate(spec);
  const dir = mkdtempSync(join(tmpdir(), 'concord-wrk-'));
  const script = join(dir, 'load.lua');
  writeFileSync(script, wrkScript(spec));
  const args = ['-t', String(spec.threads ?? 1), '-c', String(spec.connections), '-d', `${spec.seconds}s`, '--timeout', '10s', '-s', script, spec.url];
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    const timer = setTimeout(() => kill(child, 'SIGKILL'), (spec.seconds + 30) * 1000);
    child.on('error', (err) => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      reject(new Error(`wrk could not start (apt-get install wrk): ${err.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      const m = /^WRK_RESULT (.*)$/m.exec(out);
      if (!m) return reject(new Error(`wrk exited with ${code}: ${out}`));
      resolve(JSON.parse(m[1]));
    });
  });
}

/** One autocannon run in a child process (this module run as a script), for `spec.tls`. */
function loadWithClientCertificate(spec) {
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

const luaString = (s) => JSON.stringify(s); // a JSON string of ASCII text is a valid Lua string
const BASE64_LUA = `
local b64chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
local function b64(data)
  return ((data:gsub('.', function(x)
    local r, b = '', x:byte()
    for i = 8, 1, -1 do r = r .. (b % 2 ^ i - b % 2 ^ (i - 1) > 0 and '1' or '0') end
    return r
  end) .. '0000'):gsub('%d%d%d?%d?%d?%d?', function(x)
    if #x < 6 then return '' end
    local c = 0
    for i = 1, 6 do c = c + (x:sub(i, i) == '1' and 2 ^ (6 - i) or 0) end
    return b64chars:sub(c + 1, c + 1)
  end) .. ({ '', '==', '=' })[#data % 3 + 1])
end`;

/** The Lua script for one run: the request, and a done() that prints the summary as JSON. */
function wrkScript(spec) {
  const value = 'v'.repeat(256);
  const tag = `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const headers = Object.entries(spec.headers ?? {})
    .map(([k, v]) => `wrk.headers[${luaString(k)}] = ${luaString(v)}`)
    .join('\n');
  let body;
  if (spec.kind === 'get') {
    body = `wrk.method = "GET"\nwrk.path = ${luaString(spec.path)}\n${headers}`;
  } else if (spec.kind === 'etcd-range') {
    const json = JSON.stringify({ key: Buffer.from(spec.key).toString('base64'), serializable: spec.serializable === true });
    body = `wrk.method = "POST"\nwrk.path = "/v3/kv/range"\nwrk.body = ${luaString(json)}\n${headers}`;
  } else if (spec.kind === 'put') {
    body = `${headers}
local thread_id = 0
local counter = 0
local prefix
local value = ${luaString(value)}
function setup(thread) thread_id = thread_id + 1; thread:set("tid", thread_id) end
function init() prefix = ${luaString(`${spec.path}/${tag}/`)} .. tostring(tid or 0) .. "/" end
function request()
  counter = counter + 1
  return wrk.format("PUT", prefix .. counter, nil, value)
end`;
  } else if (spec.kind === 'etcd') {
    const b64value = Buffer.from(value).toString('base64');
    body = `${BASE64_LUA}
${headers}
local thread_id = 0
local counter = 0
local prefix
function setup(thread) thread_id = thread_id + 1; thread:set("tid", thread_id) end
function init() prefix = ${luaString(`bench/${tag}/`)} .. tostring(tid or 0) .. "/" end
function request()
  counter = counter + 1
  return wrk.format("POST", "/v3/kv/put", nil, '{"key":"' .. b64(prefix .. counter) .. '","value":"${b64value}"}')
end`;
  } else {
    throw new Error(`unknown load kind ${spec.kind}`);
  }
  return `${body}
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK_RESULT {"rps":%f,"p50":%f,"p99":%f,"ok":%d,"non2xx":%d,"errors":%d}\\n',
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests - e.status, e.status, e.connect + e.read + e.write + e.timeout))
end
`;
}

// ---- servers ----------------------------------------------------------------------------------

export const children = new Set();
process.on('exit', () => {
  for (const child of children) kill(child, 'SIGKILL');
});
// An interrupted benchmark takes its servers with it ('exit' does not run on a fatal signal).
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => {
    for (const child of children) kill(child, 'SIGKILL');
    process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
  });
}

export function kill(child, signal = 'SIGTERM') {
  if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(child.pid, signal);
    } catch {
      // already gone
    }
  }
}

export async function stop(child, graceMs = 3000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  kill(child);
  const timer = setTimeout(() => kill(child, 'SIGKILL'), graceMs);
  await gone;
  clearTimeout(timer);
  children.delete(child);
}

/** Flags for Node server processes from an environment variable, e.g. "--cpu-prof --cpu-prof-dir=/tmp/p". */
export function nodeArgsFrom(variable) {
  return (process.env[variable] ?? '').split(' ').filter(Boolean);
}

export function startChild(cmd, args, ready, timeoutMs = STARTUP_MS) {
  const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${cmd} did not start in time:\n${output.slice(-3000)}`)), timeoutMs);
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

/**
 * Starts an etcd cluster of `size` members (each with `restart()`, which starts it again on its
 * data directory) (fsync on, as by default) under `dir`, on loopback
 * ephemeral ports, and waits until its leader accepts a write. Members: { name, client, peer, child,
 * tls }. With `pki` (from `makePki`), clients and peers speak mutual TLS: each member serves the
 * server certificate, requires a certificate from the CA of clients (--client-cert-auth) and peers
 * (--peer-client-cert-auth), and `tls` holds the client certificate's files for talking to it.
 */
export async function startEtcd(dir, size = 1, { pki } = {}) {
  const bin = ensureEtcd();
  const ports = await freePorts(size * 2);
  const scheme = pki ? 'https' : 'http';
  const members = Array.from({ length: size }, (_, i) => ({
    name: `e${i + 1}`,
    client: `${scheme}://127.0.0.1:${ports[i * 2]}`,
    peer: `${scheme}://127.0.0.1:${ports[i * 2 + 1]}`,
    tls: pki ? { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey } : undefined,
  }));
  const tlsArgs = pki
    ? [
        '--cert-file',
        pki.serverCert,
        '--key-file',
        pki.serverKey,
        '--trusted-ca-file',
        pki.ca,
        '--client-cert-auth',
        '--peer-cert-file',
        pki.serverCert,
        '--peer-key-file',
        pki.serverKey,
        '--peer-trusted-ca-file',
        pki.ca,
        '--peer-client-cert-auth',
      ]
    : [];
  const initial = members.map((m) => `${m.name}=${m.peer}`).join(',');
  const env = { ...process.env, ...(process.arch === 'arm64' ? { ETCD_UNSUPPORTED_ARCH: 'arm64' } : {}) };
  for (const m of members) {
    const args = [
      '--name',
      m.name,
      '--data-dir',
      join(dir, m.name),
      '--listen-client-urls',
      m.client,
      '--advertise-client-urls',
      m.client,
      '--listen-peer-urls',
      m.peer,
      '--initial-advertise-peer-urls',
      m.peer,
      '--initial-cluster',
      initial,
      '--initial-cluster-state',
      'new',
      '--initial-cluster-token',
      `bench-${process.pid}`,
      '--log-level',
      'warn',
      ...tlsArgs,
    ];
    m.restart = () => {
      m.child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
      children.add(m.child);
      m.log = '';
      m.child.stderr.on('data', (c) => (m.log = (m.log + c).slice(-5000)));
    };
    m.restart();
  }
  // A cluster that does not come up is stopped before the error is passed on.
  await until(async () => {
    const dead = members.find((m) => m.child.exitCode !== null);
    if (dead) throw new Error(`etcd ${dead.name} exited with ${dead.child.exitCode}: ${dead.log}`);
    const leader = await etcdLeader(members);
    if (!leader) return false;
    const body = JSON.stringify({ key: Buffer.from('bench/ready').toString('base64'), value: 'eA==' });
    return (await etcdPost(leader, '/v3/kv/put', body)).ok;
  }, 'etcd to accept writes').catch(async (err) => {
    await Promise.all(members.map((m) => stop(m.child)));
    const lastLogLines = members.map((m) => `${m.name}: ${m.log.trim().split('\n').at(-1)}`);
    throw new Error(`${err.message}\n${lastLogLines.join('\n')}`);
  });
  return members;
}

/** The member that reports itself as the etcd leader, or undefined. */
export async function etcdLeader(members) {
  for (const m of members) {
    try {
      const st = JSON.parse((await etcdPost(m, '/v3/maintenance/status', '{}')).text);
      if (st.header?.member_id && st.header.member_id === st.leader) return m;
    } catch {
      // not up yet
    }
  }
  return undefined;
}

/** POST to a member's JSON gateway, with its client certificate over TLS: { ok, status, text }. */
export async function etcdPost(member, path, body, timeoutMs = 2000) {
  if (!member.tls) {
    const res = await fetch(`${member.client}${path}`, { method: 'POST', body, signal: AbortSignal.timeout(timeoutMs) });
    return { ok: res.ok, status: res.status, text: await res.text() };
  }
  const { ca, cert, key } = member.tls;
  const options = { method: 'POST', ca: readFileSync(ca), cert: readFileSync(cert), key: readFileSync(key), timeout: timeoutMs };
  return new Promise((resolve, reject) => {
    const req = httpsRequest(`${member.client}${path}`, options, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ ok: res.statusCode >= 200 && res.statusCode < 300, status: res.statusCode, text }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${member.client}${path} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

export function loadAverage() {
  return loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
}

export async function freePorts(n) {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise((r) => {
          const s = createServer();
          s.listen(0, '127.0.0.1', () => r(s));
        }),
    ),
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

/** Medians of req/s, p50 and p99 over runs, and the count of non-2xx answers and errors. */
export function summarize(list) {
  return {
    rps: median(list.map((r) => r.rps)),
    p50: Number(median(list.map((r) => r.p50)).toFixed(2)),
    p99: Number(median(list.map((r) => r.p99)).toFixed(2)),
    bad: list.reduce((n, r) => n + r.non2xx + r.errors, 0),
    cpuUs: list.every((r) => r.cpuUs !== undefined) ? median(list.map((r) => r.cpuUs)) : undefined,
  };
}

/** A table row that could not be measured, printed as "not run" with its reason under the table. */
export function notRun(row, reason) {
  process.stderr.write(`  ${row.name} vs ${row.anchorName}: not run (${reason})\n`);
  return { ...row, notRun: reason, ratio: 0 };
}

/** Runs subject and anchor alternately, `runs` times after a short warm-up of each. */
export async function compare(row, subject, anchor, opts) {
  const results = { subject: [], anchor: [] };
  await load({ ...subject, seconds: 1 });
  await load({ ...anchor, seconds: 1 });
  // The order alternates (subject first, then anchor first, ...): a machine whose speed drifts
  // during the runs (JIT warm-up, a neighbour's load coming or going) favours neither side.
  for (let i = 0; i < opts.runs; i++) {
    if (i % 2 === 0) {
      results.subject.push(await load({ ...subject, seconds: opts.seconds }));
      results.anchor.push(await load({ ...anchor, seconds: opts.seconds }));
    } else {
      results.anchor.push(await load({ ...anchor, seconds: opts.seconds }));
      results.subject.push(await load({ ...subject, seconds: opts.seconds }));
    }
  }
  const s = summarize(results.subject);
  const a = summarize(results.anchor);
  const line = { ...row, subject: s, anchor: a, ratio: a.rps > 0 ? s.rps / a.rps : 0 };
  const cpu = s.cpuUs !== undefined && a.cpuUs !== undefined ? ` (CPU ${s.cpuUs.toFixed(1)} vs ${a.cpuUs.toFixed(1)} us/req)` : '';
  process.stderr.write(`  ${row.name} c=${row.connections}: ${fmt(s.rps)} vs ${fmt(a.rps)} req/s${cpu}\n`);
  return line;
}

export function fmt(n) {
  return Math.round(n).toLocaleString('en-US');
}

/**
 * The comparison table. A row's `target` is the least req/s ratio (0: reported, not judged); an
 * optional `p99Target` is the largest p99 latency ratio, shown in its own column.
 */
export function printTable(rows) {
  const withP99 = rows.some((r) => r.p99Target !== undefined);
  const withCpu = rows.some((r) => r.subject.cpuUs !== undefined && r.anchor.cpuUs !== undefined);
  const judge = (value, ok) => `${value} ${ok ? 'ok' : 'MISS'}`;
  const header = ['scenario', 'conns', 'concord req/s', 'p50/p99 ms', 'anchor', 'anchor req/s', 'p50/p99 ms', 'ratio', 'target'];
  if (withP99) header.push('p99 ratio', 'p99 target');
  // the anchor's CPU time per request over the subject's: the throughput ratio each would reach
  // with a core to itself
  if (withCpu) header.push('CPU us/req', 'anchor CPU', 'CPU ratio');
  header.push('errors');
  const body = rows.map((r) => {
    if (r.notRun) {
      const cells = [r.name, String(r.connections), '-', '-', r.anchorName, 'not run', '-', '-', '-'];
      if (withP99) cells.push('-', '-');
      cells.push('-');
      return cells;
    }
    const cells = [
      r.name,
      String(r.connections),
      fmt(r.subject.rps),
      `${r.subject.p50}/${r.subject.p99}`,
      r.anchorName,
      fmt(r.anchor.rps),
      `${r.anchor.p50}/${r.anchor.p99}`,
      `${r.ratio.toFixed(2)}x`,
      r.target > 0 ? judge(`>= ${r.target.toFixed(2)}x`, r.ratio >= r.target) : '-',
    ];
    if (withP99) {
      const p99Ratio = p99RatioOf(r);
      cells.push(`${p99Ratio.toFixed(2)}x`, r.p99Target !== undefined ? judge(`<= ${r.p99Target.toFixed(2)}x`, p99Ratio <= r.p99Target) : '-');
    }
    if (withCpu) {
      const known = r.subject.cpuUs !== undefined && r.anchor.cpuUs !== undefined;
      cells.push(known ? r.subject.cpuUs.toFixed(1) : '-', known ? r.anchor.cpuUs.toFixed(1) : '-', known ? `${(r.anchor.cpuUs / r.subject.cpuUs).toFixed(2)}x` : '-');
    }
    cells.push(String(r.subject.bad + r.anchor.bad));
    return cells;
  });
  const all = [header, ...body];
  const widths = header.map((_, i) => Math.max(...all.map((row) => row[i].length)));
  const line = (row) => row.map((c, i) => (i < 2 || i === 4 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of body) console.log(line(row));
  for (const r of rows.filter((x) => x.notRun)) console.log(`not run: ${r.name} vs ${r.anchorName}: ${r.notRun}`);
}

/** Rows of [measure, value, target, ok]: ok undefined for a row that is reported, not judged. */
export function printTargets(rows) {
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  console.log('');
  for (const [name, value, target, ok] of rows) {
    console.log(`${name.padEnd(w0)}  ${value.padStart(w1)}  ${target}${ok === undefined ? '' : ok ? ' ok' : ' MISS'}`);
  }
}

export function p99RatioOf(row) {
  return row.anchor.p99 > 0 ? row.subject.p99 / row.anchor.p99 : 0;
}
