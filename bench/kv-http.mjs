// `npm run bench -- kv-http [--runs N] [--seconds S] [--only dev|durable] [--profile]`: KV over
// HTTP with 256-byte values, load from wrk (Debian, C; one fixed request, or for PUT a Lua counter
// appended to the key) in a separate process, side by side with an anchor in the same run:
//   (a) GET and PUT /v1/kv/<key> on a `-dev` agent vs a bare node:http server answering the same
//       bytes (1 and 64 connections), and GET with Accept-Encoding: gzip vs the same server
//       gzipping each answer (64 connections);
//   (c) GET and PUT with ACLs on (default deny, a token whose policy is `key_prefix "bench/"
//       write`) vs the same requests (token header included, which an agent without ACLs
//       ignores) on a `-dev` agent with ACLs off, in the same run (64 connections);
//   (b) PUT on the durable single server (-server -bootstrap-expect=1 -data-dir, fsync on) vs a
//       1-member etcd (Debian etcd-server, JSON gateway POST /v3/kv/put, fsync on) at 64 and 256
//       connections.
// `--only acl` runs (c) alone. Prints the median requests/s over the runs and the ratio to the anchor. Every PUT writes a new
// key, so no server can skip an identical write. All servers listen on 127.0.0.1 ephemeral ports
// and are killed by PID at the end. --profile writes a CPU profile of each Concord agent (GET, PUT,
// durable PUT) under bench/out/, prints its top frames and draws its flame graph.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { children, compare, concordBin, loadAverage, printTable, startChild, startEtcd, stop, until } from './_http-load.mjs';
import { profileDir, reportProfiles } from './_profile.mjs';

const VALUE = Buffer.alloc(256, 'v');

// ---- servers ----------------------------------------------------------------------------------

async function startConcord(extra, nodeArgs = []) {
  return startConcordAs(extra, undefined, nodeArgs);
}

/** Starts an agent and waits until a write with `token` (if any) is accepted. */
async function startConcordAs(extra, token, nodeArgs = []) {
  const args = [
    ...nodeArgs,
    concordBin,
    'agent',
    '-node',
    `bench-${process.pid}`,
    '-bind',
    '127.0.0.1',
    '-http-port',
    '0',
    '-dns-port',
    '-1',
    '-server-port',
    '0',
    '-serf-lan-port',
    '0',
    '-serf-wan-port',
    '0',
    '-log-level',
    'warn',
    ...extra,
  ];
  const { child, value: port } = await startChild(process.execPath, args, (out) => {
    const m = /Client Addr: .*\(HTTP: (\d+)/.exec(out);
    return m ? Number(m[1]) : undefined;
  });
  const url = `http://127.0.0.1:${port}`;
  await until(async () => {
    const res = await fetch(`${url}/v1/kv/bench/ready`, { method: 'PUT', body: 'x', ...(token ? { headers: { 'X-Consul-Token': token } } : {}) });
    return res.ok && (await res.text()) === 'true';
  }, 'concord to accept writes');
  return { child, url };
}

/**
 * A bare node:http server answering GET with the given bytes and headers (gzipped per request,
 * as the agent does, when `gzip` is set), PUT with `true`.
 */
async function startBare(getBody, getHeaders, gzip = false, nodeArgs = []) {
  const script = `
    const http = require('node:http');
    const zlib = require('node:zlib');
    const body = Buffer.from(process.env.BODY, 'base64');
    const headers = JSON.parse(process.env.HEADERS);
    const gzip = process.env.GZIP === '1';
    const server = http.createServer((req, res) => {
      if (req.method === 'GET' && gzip) {
        const gz = zlib.gzipSync(body);
        res.writeHead(200, { ...headers, 'Content-Encoding': 'gzip', 'Content-Length': gz.length });
        res.end(gz);
        return;
      }
      if (req.method === 'GET') { res.writeHead(200, headers); res.end(body); return; }
      req.on('data', () => {});
      req.on('end', () => { res.writeHead(200, { 'Content-Type': 'application/json' }); res.end('true'); });
    });
    server.keepAliveTimeout = 60000;
    process.on('SIGTERM', () => process.exit(0)); // exits normally, so that --cpu-prof writes
    server.listen(0, '127.0.0.1', () => console.log('PORT ' + server.address().port));`;
  const child = spawn(process.execPath, [...nodeArgs, '-e', script], {
    env: { ...process.env, BODY: getBody.toString('base64'), HEADERS: JSON.stringify(getHeaders), GZIP: gzip ? '1' : '0' },
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

/** KV GET and PUT through a prefix-scoped token under default deny, beside the same with ACLs off. */
async function aclRows(opts, nodeArgs) {
  const rows = [];
  const dir = mkdtempSync(join(tmpdir(), 'concord-bench-acl-'));
  const config = join(dir, 'acl.json');
  const root = 'bench-management-token';
  writeFileSync(config, JSON.stringify({ acl: { enabled: true, default_policy: 'deny', tokens: { initial_management: root } } }));
  try {
    const on = await startConcordAs(['-dev', '-config-file', config], root, nodeArgs('acl-on'));
    const off = await startConcord(['-dev'], nodeArgs('acl-off'));
    const policy = await (
      await fetch(`${on.url}/v1/acl/policy`, {
        method: 'PUT',
        headers: { 'X-Consul-Token': root },
        body: JSON.stringify({ Name: 'bench', Rules: 'key_prefix "bench/" { policy = "write" }' }),
      })
    ).json();
    const token = await (
      await fetch(`${on.url}/v1/acl/token`, { method: 'PUT', headers: { 'X-Consul-Token': root }, body: JSON.stringify({ Policies: [{ ID: policy.ID }] }) })
    ).json();
    const headers = { 'x-consul-token': token.SecretID };
    for (const agent of [on, off]) await fetch(`${agent.url}/v1/kv/bench/get`, { method: 'PUT', headers, body: VALUE });
    const check = await fetch(`${on.url}/v1/kv/bench/get`, { headers });
    if (!check.ok) throw new Error(`the scoped token cannot read: ${check.status}`);
    rows.push(
      await compare(
        { name: 'ACL GET /v1/kv (deny + prefix token)', connections: 64, anchorName: 'ACLs off', target: 0.9 },
        { kind: 'get', url: on.url, path: '/v1/kv/bench/get', connections: 64, headers, pid: on.child.pid },
        { kind: 'get', url: off.url, path: '/v1/kv/bench/get', connections: 64, headers, pid: off.child.pid },
        opts,
      ),
      await compare(
        { name: 'ACL PUT /v1/kv (deny + prefix token)', connections: 64, anchorName: 'ACLs off', target: 0.9 },
        { kind: 'put', url: on.url, path: '/v1/kv/bench/put', connections: 64, headers, pid: on.child.pid },
        { kind: 'put', url: off.url, path: '/v1/kv/bench/put', connections: 64, headers, pid: off.child.pid },
        opts,
      ),
    );
    await stop(on.child);
    await stop(off.child);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

function parseArgs(args) {
  const opts = { runs: 3, seconds: 3, only: undefined, profile: false };
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--profile') {
      opts.profile = true;
      continue;
    }
    const [flag, inline] = args[i].split('=');
    const value = inline ?? args[++i];
    if (flag === '--runs') opts.runs = Math.max(1, Number(value));
    else if (flag === '--seconds') opts.seconds = Math.max(1, Number(value));
    else if (flag === '--only') opts.only = value;
    else throw new Error(`unknown argument ${args[i]} (use --runs N, --seconds S, --only dev|durable|acl, --profile)`);
  }
  return opts;
}

export async function run(args) {
  const opts = parseArgs(args);
  const rows = [];
  const dirs = [];
  const prof = opts.profile ? profileDir('kv-http') : undefined;
  const nodeArgs = (label) => (prof ? prof.nodeArgs(label) : []);
  console.log(`# kv-http: 256-byte values, median of ${opts.runs} runs x ${opts.seconds}s, wrk in a child process`);
  try {
    if (opts.only !== 'durable' && opts.only !== 'acl') {
      const dev = await startConcord(['-dev'], nodeArgs('dev-get'));
      await fetch(`${dev.url}/v1/kv/bench/get`, { method: 'PUT', body: VALUE });
      const sample = await fetch(`${dev.url}/v1/kv/bench/get`);
      const body = Buffer.from(await sample.arrayBuffer());
      const headers = {};
      for (const name of [
        'content-type',
        'x-consul-index',
        'x-consul-knownleader',
        'x-consul-lastcontact',
        'x-consul-effective-consistency',
        'x-consul-default-acl-policy',
        'vary',
      ]) {
        const v = sample.headers.get(name);
        if (v !== null) headers[name] = v;
      }
      const bare = await startBare(body, headers, false, nodeArgs('bare'));
      for (const connections of [1, 64]) {
        rows.push(
          await compare(
            { name: 'dev GET /v1/kv', connections, anchorName: 'bare node:http', target: 0.85 },
            { kind: 'get', url: dev.url, path: '/v1/kv/bench/get', connections, pid: dev.child.pid },
            { kind: 'get', url: bare.url, path: '/v1/kv/bench/get', connections, pid: bare.child.pid },
            opts,
          ),
        );
      }
      // Go clients send Accept-Encoding: gzip on every request; the anchor gzips per request too.
      const bareGzip = await startBare(body, headers, true);
      const gzipHeaders = { 'accept-encoding': 'gzip' };
      rows.push(
        await compare(
          { name: 'dev GET /v1/kv, gzip', connections: 64, anchorName: 'bare node:http, gzip', target: 0.75 },
          { kind: 'get', url: dev.url, path: '/v1/kv/bench/get', connections: 64, headers: gzipHeaders, pid: dev.child.pid },
          { kind: 'get', url: bareGzip.url, path: '/v1/kv/bench/get', connections: 64, headers: gzipHeaders, pid: bareGzip.child.pid },
          opts,
        ),
      );
      await stop(bareGzip.child);
      // PUT on a fresh agent, so that a profile holds one hot path
      await stop(dev.child);
      const devPut = await startConcord(['-dev'], nodeArgs('dev-put'));
      for (const connections of [1, 64]) {
        rows.push(
          await compare(
            { name: 'dev PUT /v1/kv', connections, anchorName: 'bare node:http', target: 0.6 },
            { kind: 'put', url: devPut.url, path: '/v1/kv/bench/put', connections, pid: devPut.child.pid },
            { kind: 'put', url: bare.url, path: '/v1/kv/bench/put', connections, pid: bare.child.pid },
            opts,
          ),
        );
      }
      await stop(devPut.child);
      await stop(bare.child);
    }
    if (opts.only === undefined || opts.only === 'acl') rows.push(...(await aclRows(opts, nodeArgs)));
    if (opts.only !== 'dev' && opts.only !== 'acl') {
      const concordDir = mkdtempSync(join(tmpdir(), 'concord-bench-'));
      const etcdDir = mkdtempSync(join(tmpdir(), 'etcd-bench-'));
      dirs.push(concordDir, etcdDir);
      const durable = await startConcord(['-server', '-bootstrap-expect=1', '-data-dir', concordDir, '-bind', '127.0.0.1', '-client', '127.0.0.1'], nodeArgs('durable-put'));
      const [etcd] = await startEtcd(etcdDir, 1);
      for (const connections of [64, 256]) {
        rows.push(
          await compare(
            { name: 'durable PUT /v1/kv', connections, anchorName: 'etcd 1-member', target: 1.0 },
            { kind: 'put', url: durable.url, path: '/v1/kv/bench/put', connections, pid: durable.child.pid },
            { kind: 'etcd', url: etcd.client, connections, pid: etcd.child.pid },
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
  console.log(`load average ${loadAverage()}`);
  if (prof) reportProfiles(prof.dir);
}
