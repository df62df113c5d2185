// `npm run bench -- scale [--keys 10000,100000,1000000] [--services 10000] [--instances 3]
//   [--blocking 50000] [--servers 3,5] [--seconds 3] [--failovers 3] [--only kv,catalog,blocking,cluster]
//   [--charts DIR] [--from results.json,...]`: how Concord behaves as the data grows, beside etcd where etcd has the same operation.
//   kv:       for each key count, a durable single server (-server -bootstrap-expect=1, fsync on) and
//             a 1-member etcd, each loaded with that many 256-byte keys (batched transactions):
//             RSS, PUT/s and GET/s (wrk, 64 connections), PUT/s and p99 with a raft snapshot taken
//             in the window (see putDuringSnapshot), snapshot save time (GET /v1/snapshot;
//             etcd's maintenance snapshot), restart-to-serving time (SIGTERM and a clean stop, start on the
//             same data directory, until a stored key reads back).
//   catalog:  a -dev agent with <services> services x <instances> instances beside one with a single
//             service: DNS A queries/s (dnsperf over up to 10,000 service names, round-robin) and the
//             agent's CPU time per query, /v1/health/service/<s> requests/s (wrk, 16 connections) with
//             CPU time per request, and its p50/p99 latency on one connection.
//   blocking: <blocking> blocking queries on one key (one connection each, from client processes
//             of at most 10,000 connections each), the agent's RSS per query, and the time from one
//             write until every query has answered. Each connection is a file descriptor in the
//             agent: past `ulimit -n` the agent runs under `prlimit` with a higher limit when this
//             process may raise it (CAP_SYS_RESOURCE), else the count is capped below the limit (printed).
//   cluster:  clusters of each --servers size (fsync on): PUT/s at 64 connections on the leader and
//             leader failover time (kill -9 until a write succeeds through a survivor).
// Prints one table per part and writes an SVG chart per curve under --charts (default bench/charts);
// the results go to bench/out/scale-<time>.json, and --from prints and draws saved results again
// (KV points of several files merged by key count, a later file's point replacing an earlier one's;
// the other parts from the last file that has them).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { concordCluster, concordLeader } from './_concord-cluster.mjs';
import { failover } from './cluster.mjs';
import { children, concordBin, cpuTimeUs, load, loadAverage, median, nodeArgsFrom, root, startChild, startEtcd, stop, until } from './_http-load.mjs';
import { barChart, lineChart } from './_svg-chart.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
const VALUE = Buffer.alloc(256, 'v');
const VALUE64 = VALUE.toString('base64');
/** How long a start (a restart over a million keys among them) may take before it counts as failed. */
const RESTART_MAX_MS = 180_000;
const BANNER = /Client Addr: .*\(HTTP: (\d+), HTTPS: -?\d+, gRPC: -?\d+, DNS: (-?\d+)/;

function parseArgs(args) {
  const o = {
    keys: [10_000, 100_000, 1_000_000],
    services: 10_000,
    instances: 3,
    blocking: 50_000,
    servers: [3, 5],
    seconds: 3,
    failovers: 3,
    only: new Set(['kv', 'catalog', 'blocking', 'cluster']),
    charts: join(here, 'charts'),
    from: [],
  };
  const list = (v) =>
    String(v)
      .split(',')
      .map(Number)
      .filter((n) => Number.isFinite(n) && n > 0);
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split('=');
    const value = inline ?? args[++i];
    if (flag === '--keys') o.keys = list(value);
    else if (flag === '--services') o.services = Number(value);
    else if (flag === '--instances') o.instances = Number(value);
    else if (flag === '--blocking') o.blocking = Number(value);
    else if (flag === '--servers') o.servers = list(value);
    else if (flag === '--seconds') o.seconds = Math.max(1, Number(value));
    else if (flag === '--failovers') o.failovers = Math.max(1, Number(value));
    else if (flag === '--only') o.only = new Set(String(value).split(','));
    else if (flag === '--charts') o.charts = value;
    else if (flag === '--from') o.from = String(value).split(',');
    else throw new Error(`unknown argument ${args[i]}`);
  }
  return o;
}

// ---- processes --------------------------------------------------------------------------------

/** Resident set size of a process in MiB, from /proc. */
function rssMiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

/**
 * A Concord agent; `restart()` starts it again with the same arguments. `launcher` runs it through
 * another command (`prlimit ... --`, which execs it: the pid is the agent's).
 */
async function startAgent(extra, nodeArgs = [], launcher = []) {
  const limits = join(mkdtempSync(join(tmpdir(), 'concord-scale-cfg-')), 'limits.json');
  // many connections from one address (the load generators): Consul's per-client cap lifted
  writeFileSync(limits, JSON.stringify({ limits: { http_max_conns_per_client: 0 } }));
  const args = [
    '--max-old-space-size=4096',
    ...nodeArgs,
    concordBin,
    'agent',
    '-node',
    `scale-${process.pid}`,
    '-bind',
    '127.0.0.1',
    '-client',
    '127.0.0.1',
    '-http-port',
    '0',
    '-server-port',
    '0',
    '-serf-lan-port',
    '0',
    '-serf-wan-port',
    '0',
    '-log-level',
    'warn',
    '-config-file',
    limits,
    ...extra,
  ];
  const agent = { args };
  agent.restart = async () => {
    const { child, value } = await startChild(
      launcher[0] ?? process.execPath,
      launcher.length > 0 ? [...launcher.slice(1), process.execPath, ...args] : args,
      (out) => {
        const m = BANNER.exec(out);
        return m ? { http: Number(m[1]), dns: Number(m[2]) } : undefined;
      },
      RESTART_MAX_MS,
    );
    agent.child = child;
    agent.url = `http://127.0.0.1:${value.http}`;
    agent.dnsPort = value.dns;
  };
  await agent.restart();
  await until(async () => (await fetch(`${agent.url}/v1/kv/scale/ready`, { method: 'PUT', body: 'x' })).ok, 'Concord to accept writes');
  return agent;
}

/** Runs `count` tasks (index -> promise), `width` at a time. */
async function pool(count, width, task) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, count) }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

async function ok(res, what) {
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${await res.text()}`);
  return res;
}

// ---- KV ---------------------------------------------------------------------------------------

const BATCH = 64;
const keyName = (i) => `scale/${String(i).padStart(8, '0')}`;

async function loadConcord(url, n) {
  await pool(Math.ceil(n / BATCH), 8, async (b) => {
    const ops = [];
    for (let i = b * BATCH; i < Math.min(n, (b + 1) * BATCH); i++) ops.push({ KV: { Verb: 'set', Key: keyName(i), Value: VALUE64 } });
    await ok(await fetch(`${url}/v1/txn`, { method: 'PUT', body: JSON.stringify(ops) }), 'Concord txn');
  });
}

async function loadEtcd(client, n) {
  await pool(Math.ceil(n / BATCH), 8, async (b) => {
    const success = [];
    for (let i = b * BATCH; i < Math.min(n, (b + 1) * BATCH); i++) {
      success.push({ requestPut: { key: Buffer.from(keyName(i)).toString('base64'), value: VALUE64 } });
    }
    await ok(await fetch(`${client}/v3/kv/txn`, { method: 'POST', body: JSON.stringify({ success }) }), 'etcd txn');
  });
}

/** Milliseconds to read a whole response body. */
async function timedDownload(url, init) {
  const t0 = performance.now();
  const res = await ok(await fetch(url, init), url);
  let bytes = 0;
  for await (const chunk of res.body) bytes += chunk.length;
  return { ms: performance.now() - t0, bytes };
}

async function concordServes(agent) {
  const res = await fetch(`${agent.url}/v1/kv/${keyName(0)}`, { signal: AbortSignal.timeout(2000) });
  return res.status === 200;
}

async function etcdServes(member) {
  const body = JSON.stringify({ key: Buffer.from(keyName(0)).toString('base64') });
  const res = await fetch(`${member.client}/v3/kv/range`, { method: 'POST', body, signal: AbortSignal.timeout(2000) });
  return res.ok && (await res.json()).count === '1';
}

/**
 * Stops a process (SIGTERM, given a minute to finish: a server stores a snapshot on the way out)
 * and starts it again; milliseconds from the start until `serves()`, and the stop's own time.
 */
async function restartTime(child, restart, serves) {
  const stopped = performance.now();
  await stop(child, 60_000);
  const t0 = performance.now();
  process.stderr.write(`  stopped in ${((t0 - stopped) / 1000).toFixed(2)} s\n`);
  await restart();
  const deadline = t0 + RESTART_MAX_MS;
  for (;;) {
    try {
      if (await serves()) return performance.now() - t0;
    } catch {
      // not up yet
    }
    if (performance.now() > deadline) throw new Error(`not serving ${RESTART_MAX_MS / 1000} s after a restart`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Consul's raft_snapshot_threshold and raft_snapshot_interval, which the agents here run with. */
const SNAPSHOT_THRESHOLD = 16_384;
const SNAPSHOT_INTERVAL_MS = 30_000;
/** Entries left before the next snapshot when the measured PUT run starts (well under a second of writes). */
const SNAPSHOT_LEAD = 300;

async function raftStats(agent) {
  const self = await (await ok(await fetch(`${agent.url}/v1/agent/self`), 'agent/self')).json();
  return { applied: Number(self.Stats.raft.applied_index), snapshot: Number(self.Stats.raft.last_snapshot_index) };
}

/** Notes when the agent's stored raft snapshot last moved (polled every 200 ms until stop()). */
function watchSnapshots(agent) {
  const w = { index: 0, movedAt: Number.NEGATIVE_INFINITY, stopped: false };
  const poll = async () => {
    while (!w.stopped) {
      try {
        const { snapshot } = await raftStats(agent);
        if (snapshot !== w.index) Object.assign(w, { index: snapshot, movedAt: performance.now() });
      } catch {
        // restarting
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  w.done = poll();
  w.stop = () => {
    w.stopped = true;
    return w.done;
  };
  return w;
}

/**
 * PUT/s and p99 with a raft snapshot in the window: the log is brought (single-entry writes, 64
 * at a time) to SNAPSHOT_LEAD entries short of the next snapshot, the snapshot interval is let
 * pass since the last one was stored, then PUTs run for at least 5 s, so that the snapshot is
 * captured and written while they do. `snapshotInWindow` says whether the stored snapshot moved
 * during the run (one still being written at its end does not count).
 */
async function putDuringSnapshot(agent, o, watch) {
  const before = await raftStats(agent);
  if (!Number.isFinite(before.snapshot)) return {}; // an agent without last_snapshot_index
  const fill = Math.max(0, before.snapshot + SNAPSHOT_THRESHOLD - SNAPSHOT_LEAD - before.applied);
  await pool(fill, 64, async (i) => {
    await ok(await fetch(`${agent.url}/v1/kv/scale/fill/${i % 64}`, { method: 'PUT', body: VALUE }), 'fill');
  });
  const wait = watch.movedAt + SNAPSHOT_INTERVAL_MS + 500 - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const start = await raftStats(agent);
  const r = await load({ kind: 'put', url: agent.url, path: '/v1/kv/scale/put', connections: 64, seconds: Math.max(o.seconds, 5) });
  const end = await raftStats(agent);
  const out = { snapPut: r.rps, snapP50: r.p50, snapP99: r.p99, snapshotInWindow: end.snapshot > start.snapshot };
  process.stderr.write(`  PUT with a snapshot in the window: ${JSON.stringify({ fill, waitedS: Math.max(0, wait) / 1000, start, end, ...out })}\n`);
  return out;
}

async function kvPoint(n, o, dir) {
  const concordDir = join(dir, `concord-${n}`);
  const etcdDir = join(dir, `etcd-${n}`);
  const agent = await startAgent(['-server', '-bootstrap-expect=1', '-data-dir', concordDir, '-dns-port', '-1']);
  const watch = watchSnapshots(agent);
  const [etcd] = await startEtcd(etcdDir, 1);
  const row = { n, concord: {}, etcd: {} };
  try {
    let t0 = performance.now();
    await loadConcord(agent.url, n);
    row.concord.loadS = (performance.now() - t0) / 1000;
    t0 = performance.now();
    await loadEtcd(etcd.client, n);
    row.etcd.loadS = (performance.now() - t0) / 1000;
    process.stderr.write(`  kv ${n}: loaded in ${row.concord.loadS.toFixed(1)} s (etcd ${row.etcd.loadS.toFixed(1)} s)\n`);
    await new Promise((r) => setTimeout(r, 1000));
    row.concord.rss = rssMiB(agent.child.pid);
    row.etcd.rss = rssMiB(etcd.child.pid);
    const spec = { connections: 64, seconds: o.seconds };
    row.concord.get = (await load({ ...spec, kind: 'get', url: agent.url, path: `/v1/kv/${keyName(n >> 1)}` })).rps;
    row.etcd.get = (await load({ ...spec, kind: 'etcd-range', url: etcd.client, key: keyName(n >> 1), serializable: true })).rps;
    const put = await load({ ...spec, kind: 'put', url: agent.url, path: '/v1/kv/scale/put' });
    row.concord.put = put.rps;
    row.concord.putP99 = put.p99;
    const eput = await load({ ...spec, kind: 'etcd', url: etcd.client });
    row.etcd.put = eput.rps;
    row.etcd.putP99 = eput.p99;
    Object.assign(row.concord, await putDuringSnapshot(agent, o, watch));
    await watch.stop();
    const snap = await timedDownload(`${agent.url}/v1/snapshot`);
    row.concord.snapshotS = snap.ms / 1000;
    row.concord.snapshotMiB = snap.bytes / 2 ** 20;
    const esnap = await timedDownload(`${etcd.client}/v3/maintenance/snapshot`, { method: 'POST', body: '{}' });
    row.etcd.snapshotS = esnap.ms / 1000;
    row.etcd.snapshotMiB = esnap.bytes / 2 ** 20;
    row.concord.restartS = (await restartTime(agent.child, agent.restart, () => concordServes(agent))) / 1000;
    row.etcd.restartS =
      (await restartTime(
        etcd.child,
        async () => etcd.restart(),
        () => etcdServes(etcd),
      )) / 1000;
    process.stderr.write(`  kv ${n}: ${JSON.stringify(row)}\n`);
  } finally {
    await watch.stop();
    await stop(agent.child);
    await stop(etcd.child);
    rmSync(concordDir, { recursive: true, force: true });
    rmSync(etcdDir, { recursive: true, force: true });
  }
  return row;
}

// ---- catalog ----------------------------------------------------------------------------------

async function register(url, services, instances) {
  const nodes = Math.max(1, Math.min(1000, services * instances));
  await pool(services * instances, 16, async (i) => {
    const s = Math.floor(i / instances);
    const node = i % nodes;
    const reg = {
      Node: `node-${node}`,
      Address: `10.${(node >> 16) & 255}.${(node >> 8) & 255}.${node & 255}`,
      Service: { ID: `svc${s}-${i % instances}`, Service: `svc${s}`, Port: 8000 + (i % instances), Address: `10.200.${(i >> 8) & 255}.${i & 255}` },
    };
    await ok(await fetch(`${url}/v1/catalog/register`, { method: 'PUT', body: JSON.stringify(reg) }), 'register');
  });
}

/**
 * dnsperf over `names` (one A query each, in turn) for `seconds`: queries/s and, with `pid`, the
 * server's CPU time per answered query (user + system from /proc), which other load on the
 * machine moves far less than queries/s.
 */
function dnsperf(port, names, seconds, dir, pid) {
  const file = join(dir, `queries-${port}`);
  writeFileSync(file, `${names.map((n) => `${n}.service.consul A`).join('\n')}\n`);
  const cpu0 = pid ? cpuTimeUs(pid) : undefined;
  const main0 = pid ? mainThreadCpuUs(pid) : undefined;
  // 0 seconds: once through the names
  const limit = seconds > 0 ? ['-l', String(seconds)] : ['-n', '1'];
  const out = spawnSync('dnsperf', ['-s', '127.0.0.1', '-p', String(port), '-d', file, ...limit, '-c', '1', '-q', '200', '-t', '2'], {
    encoding: 'utf8',
    timeout: (Math.max(seconds, 30) + 15) * 1000,
  });
  if (out.error) throw new Error(`dnsperf: ${out.error.message} (apt-get install dnsperf)`);
  const qps = Number(/Queries per second:\s+([\d.]+)/.exec(out.stdout)?.[1] ?? Number.NaN);
  const cpu1 = pid ? cpuTimeUs(pid) : undefined;
  const main1 = pid ? mainThreadCpuUs(pid) : undefined;
  const per = (a, b) => (a !== undefined && b !== undefined && qps > 0 ? (b - a) / (qps * seconds) : Number.NaN);
  // the whole process, and its main thread alone (without V8's garbage collection and compiler threads)
  return { qps, cpuUs: per(cpu0, cpu1), mainCpuUs: per(main0, main1) };
}

/** User + system CPU time of a process's main thread in microseconds (/proc/<pid>/task/<pid>/stat). */
function mainThreadCpuUs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/**
 * Two -dev agents side by side, one with a single service and one with `services`, measured in
 * alternation (so that load from elsewhere falls on both alike): DNS A q/s and health p99.
 */
async function catalogPoints(services, o, dir) {
  const sizes = [1, services];
  const agents = [];
  try {
    const rows = [];
    for (const n of sizes) {
      // SCALE_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/p") goes to both agents' node
      const agent = await startAgent(['-dev', '-dns-port', '0'], nodeArgsFrom('SCALE_NODE_ARGS'));
      agents.push(agent);
      const t0 = performance.now();
      await register(agent.url, n, o.instances);
      // every service's name up to 10,000, asked round-robin (the answer caches must hold them all)
      const count = Math.min(n, 10_000);
      const names = Array.from({ length: count }, (_, i) => `svc${Math.floor((i * n) / count)}`);
      // warm-up: every name asked once (the answers are built), then a second of load
      dnsperf(agent.dnsPort, names, 0, dir);
      dnsperf(agent.dnsPort, names, 1, dir);
      rows.push({ services: n, instances: o.instances, loadS: (performance.now() - t0) / 1000, names, dns: [], health: [], latency: [] });
    }
    for (let r = 0; r < 2; r++) {
      for (const [i, row] of rows.entries()) {
        const indexAt = async () => (await fetch(`${agents[i].url}/v1/catalog/services`)).headers.get('x-consul-index');
        const before = await indexAt();
        const run = dnsperf(agents[i].dnsPort, row.names, o.seconds, dir, agents[i].child.pid);
        // a catalog write during the run would make the answer caches start over
        row.dns.push({ ...run, indexBefore: before, indexAfter: await indexAt() });
        const path = `/v1/health/service/svc${row.services >> 1}`;
        row.health.push(await load({ kind: 'get', url: agents[i].url, path, connections: 16, seconds: o.seconds, pid: agents[i].child.pid }));
        // latency on one connection: the request's own time, without queueing behind others
        row.latency.push(await load({ kind: 'get', url: agents[i].url, path, connections: 1, seconds: o.seconds }));
      }
    }
    return rows.map((row, i) => {
      const out = {
        services: row.services,
        instances: row.instances,
        loadS: row.loadS,
        rss: rssMiB(agents[i].child.pid),
        dnsQps: median(row.dns.map((d) => d.qps)),
        dnsCpuUs: median(row.dns.map((d) => d.cpuUs)),
        dnsMainCpuUs: median(row.dns.map((d) => d.mainCpuUs)),
        healthRps: median(row.health.map((h) => h.rps)),
        healthCpuUs: median(row.health.map((h) => h.cpuUs ?? Number.NaN)),
        healthP50: median(row.latency.map((h) => h.p50)),
        healthP99: median(row.latency.map((h) => h.p99)),
        dnsRuns: row.dns,
      };
      process.stderr.write(`  catalog ${row.services} x ${row.instances}: ${JSON.stringify(out)}\n`);
      return out;
    });
  } finally {
    await Promise.all(agents.map((a) => stop(a.child)));
  }
}

// ---- blocking queries -------------------------------------------------------------------------

/**
 * A child that holds blocking queries (one connection each) and reports when every one answered:
 * READY once all are sent, then `WOKE <time>` (performance.timeOrigin + now, ms) at the last answer.
 */
const BLOCKING_CLIENT = `
const net = require('node:net');
const { port, count, key, index } = JSON.parse(process.env.SCALE_BLOCKING);
const request = 'GET /v1/kv/' + key + '?index=' + index + '&wait=10m HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\n\\r\\n';
let connected = 0;
let answered = 0;
const sockets = [];
// CHAINS connections open at a time (the listen backlog is bounded), each chain opening its next
// once the previous one is connected
const CHAINS = 16;
function open(i) {
  const s = net.connect({ port, host: '127.0.0.1' }, () => {
    s.write(request);
    if (++connected === count) process.stdout.write('READY\\n');
    if (i + CHAINS < count) setImmediate(() => open(i + CHAINS));
  });
  s.once('data', () => {
    if (++answered === count) {
      process.stdout.write('WOKE ' + (performance.timeOrigin + performance.now()) + '\\n');
      for (const x of sockets) x.destroy();
      process.exit(0);
    }
  });
  s.on('error', (err) => { process.stderr.write('socket ' + i + ': ' + err.message + '\\n'); process.exit(1); });
  sockets.push(s);
}
for (let i = 0; i < Math.min(CHAINS, count); i++) open(i);
`;

/** This process's descriptor limits (`ulimit -Sn`, `ulimit -Hn`). */
function descriptorLimits() {
  const read = (flag) => Number(spawnSync('sh', ['-c', `ulimit ${flag}`], { encoding: 'utf8' }).stdout.trim()) || 1024;
  return { soft: read('-Sn'), hard: read('-Hn') };
}

/** Connections one client process holds: its own descriptors, with room to spare. */
const PER_CLIENT = 10_000;

/**
 * Holds `requested` blocking queries on one key of a -dev agent, from several client processes
 * (each within its own descriptor limit). Each query is a descriptor in the agent too: when the
 * count passes the limit, the agent is started under `prlimit` with a higher one where this
 * process may raise it (CAP_SYS_RESOURCE), and the count is capped below the limit otherwise.
 */
async function blockingPoint(requested) {
  const limits = descriptorLimits();
  const need = requested + 1000;
  // raising a hard limit takes CAP_SYS_RESOURCE (root outside a container that drops it): tried, not assumed
  const canRaise = need > limits.soft && spawnSync('prlimit', [`--nofile=${need}:${need}`, '--', 'true']).status === 0;
  const agentLimit = need > limits.soft && canRaise ? need : limits.soft;
  const launcher = agentLimit > limits.soft ? ['prlimit', `--nofile=${agentLimit}:${agentLimit}`, '--'] : [];
  const cap = agentLimit - 1000;
  const count = Math.min(requested, cap);
  const agent = await startAgent(['-dev', '-dns-port', '-1'], [], launcher);
  const clients = [];
  try {
    const key = 'scale/watched';
    await ok(await fetch(`${agent.url}/v1/kv/${key}`, { method: 'PUT', body: 'x' }), 'put');
    const index = (await ok(await fetch(`${agent.url}/v1/kv/${key}`), 'get')).headers.get('x-consul-index');
    await new Promise((r) => setTimeout(r, 1000));
    const rssBefore = rssMiB(agent.child.pid);
    const port = Number(new URL(agent.url).port);
    const t0 = performance.now();
    for (let left = count; left > 0; left -= PER_CLIENT) {
      const child = spawn(process.execPath, ['-e', BLOCKING_CLIENT], {
        env: { ...process.env, SCALE_BLOCKING: JSON.stringify({ port, count: Math.min(PER_CLIENT, left), key, index }) },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      children.add(child);
      const client = { child, out: '' };
      child.stdout.on('data', (c) => (client.out += c));
      clients.push(client);
      // one client's connections at a time: the agent accepts them as fast as it can either way
      await waitFor(() => client.out.includes('READY') || child.exitCode !== null, 300_000);
      if (!client.out.includes('READY')) throw new Error(`blocking client: ${client.out}`);
    }
    const connectS = (performance.now() - t0) / 1000;
    // let the agent settle (every request parsed and parked)
    await new Promise((r) => setTimeout(r, 3000));
    const rssAfter = rssMiB(agent.child.pid);
    const wroteAt = performance.timeOrigin + performance.now();
    await ok(await fetch(`${agent.url}/v1/kv/${key}`, { method: 'PUT', body: 'woken' }), 'the waking write');
    await waitFor(() => clients.every((c) => /WOKE/.test(c.out) || c.child.exitCode !== null), 120_000);
    const last = Math.max(...clients.map((c) => Number(/WOKE ([\d.]+)/.exec(c.out)?.[1] ?? Number.NaN)));
    if (!Number.isFinite(last)) throw new Error(`a blocking client did not see every answer: ${clients.map((c) => c.out).join(' | ')}`);
    const row = {
      requested,
      count,
      cap,
      clients: clients.length,
      agentFdLimit: agentLimit,
      connectS,
      rssBefore,
      rssAfter,
      kibPerQuery: ((rssAfter - rssBefore) * 1024) / count,
      wakeMs: last - wroteAt,
    };
    process.stderr.write(`  blocking: ${JSON.stringify(row)}\n`);
    return row;
  } finally {
    await Promise.all(clients.map((c) => stop(c.child)));
    await stop(agent.child);
  }
}

async function waitFor(cond, ms) {
  const deadline = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > deadline) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

// ---- cluster ----------------------------------------------------------------------------------

async function clusterPoint(size, o, dir) {
  const servers = await concordCluster(join(dir, `cluster-${size}`), { size });
  try {
    const leader = await concordLeader(servers);
    const puts = [];
    for (let i = 0; i < 2; i++) puts.push((await load({ kind: 'put', url: leader.url, path: '/v1/kv/scale/put', connections: 64, seconds: o.seconds })).rps);
    const seq = (await load({ kind: 'put', url: leader.url, path: '/v1/kv/scale/seq', connections: 1, seconds: o.seconds })).rps;
    const times = await failover(servers, o.failovers);
    const row = { size, putRps: median(puts), seqRps: seq, failoverS: median(times) / 1000, failovers: times.map((t) => t / 1000) };
    process.stderr.write(`  cluster ${size}: ${JSON.stringify(row)}\n`);
    return row;
  } finally {
    await Promise.all(servers.map((s) => stop(s.child)));
  }
}

// ---- output -----------------------------------------------------------------------------------

function table(head, rows) {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

const f = (v, d = 0) => (Number.isFinite(v) ? v.toFixed(d) : '-');
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}x` : '-');

function chart(o, name, svg) {
  mkdirSync(o.charts, { recursive: true });
  const file = join(o.charts, `${name}.svg`);
  writeFileSync(file, svg);
  return relative(root, file);
}

function reportKv(o, rows) {
  console.log('\n## KV with N keys of 256 B: durable single server vs 1-member etcd (fsync on)');
  table(
    [
      'keys',
      'RSS MiB',
      'etcd',
      'ratio',
      'PUT/s',
      'etcd',
      'ratio',
      'PUT p99 ms',
      'etcd',
      'PUT/s, snapshot in window',
      'ratio',
      'p99 ms',
      'GET/s',
      'etcd',
      'ratio',
      'snapshot s',
      'etcd',
      'restart s',
      'etcd',
    ],
    rows.map((r) => [
      r.n,
      f(r.concord.rss),
      f(r.etcd.rss),
      ratio(r.concord.rss, r.etcd.rss),
      f(r.concord.put),
      f(r.etcd.put),
      ratio(r.concord.put, r.etcd.put),
      f(r.concord.putP99, 1),
      f(r.etcd.putP99, 1),
      `${f(r.concord.snapPut)}${r.concord.snapshotInWindow === false ? ' (none stored)' : ''}`,
      ratio(r.concord.snapPut, r.etcd.put),
      f(r.concord.snapP99, 1),
      f(r.concord.get),
      f(r.etcd.get),
      ratio(r.concord.get, r.etcd.get),
      f(r.concord.snapshotS, 2),
      f(r.etcd.snapshotS, 2),
      f(r.concord.restartS, 2),
      f(r.etcd.restartS, 2),
    ]),
  );
  const series = (pick) => [
    { name: 'Concord', points: rows.map((r) => [r.n, pick(r.concord)]) },
    { name: 'etcd', points: rows.map((r) => [r.n, pick(r.etcd)]) },
  ];
  const files = [
    chart(o, 'scale-kv-rss', lineChart({ title: 'RSS after loading N keys', xLabel: 'keys', yLabel: 'MiB', series: series((x) => x.rss) })),
    chart(o, 'scale-kv-put', lineChart({ title: 'PUT/s (64 connections)', xLabel: 'keys', yLabel: 'req/s', series: series((x) => x.put) })),
    chart(
      o,
      'scale-kv-put-p99',
      lineChart({
        title: 'PUT p99 (64 connections; Concord with a raft snapshot in the window)',
        xLabel: 'keys',
        yLabel: 'ms',
        series: [
          { name: 'Concord+snap', points: rows.map((r) => [r.n, r.concord.snapP99]) },
          { name: 'Concord', points: rows.map((r) => [r.n, r.concord.putP99]) },
          { name: 'etcd', points: rows.map((r) => [r.n, r.etcd.putP99]) },
        ],
      }),
    ),
    chart(o, 'scale-kv-get', lineChart({ title: 'GET/s (64 connections)', xLabel: 'keys', yLabel: 'req/s', series: series((x) => x.get) })),
    chart(o, 'scale-kv-snapshot', lineChart({ title: 'Snapshot save', xLabel: 'keys', yLabel: 'seconds', series: series((x) => x.snapshotS) })),
    chart(o, 'scale-kv-restart', lineChart({ title: 'Restart to serving', xLabel: 'keys', yLabel: 'seconds', series: series((x) => x.restartS) })),
  ];
  console.log(`charts: ${files.join(', ')}`);
}

function reportCatalog(o, rows) {
  console.log(`\n## Catalog: services x ${o.instances} instances (-dev agent)`);
  const base = rows[0];
  table(
    [
      'services',
      'instances',
      'RSS MiB',
      'DNS A q/s',
      'vs 1 service',
      'DNS CPU µs/query (main thread)',
      'CPU vs 1 service (main)',
      'health req/s (16 conns)',
      'vs 1 service',
      'health CPU µs/req',
      'health p50/p99 ms (1 conn)',
    ],
    rows.map((r) => [
      r.services,
      r.services * r.instances,
      f(r.rss),
      f(r.dnsQps),
      ratio(r.dnsQps, base.dnsQps),
      `${f(r.dnsCpuUs, 1)} (${f(r.dnsMainCpuUs, 1)})`,
      // the one-service agent's CPU time per query over this one's: the q/s ratio each would reach with a core of its own
      `${ratio(base.dnsCpuUs, r.dnsCpuUs)} (${ratio(base.dnsMainCpuUs, r.dnsMainCpuUs)})`,
      f(r.healthRps),
      ratio(r.healthRps, base.healthRps),
      f(r.healthCpuUs, 1),
      `${f(r.healthP50, 2)} / ${f(r.healthP99, 2)}`,
    ]),
  );
  const groups = rows.map((r) => `${r.services} svc`);
  const files = [
    chart(o, 'scale-catalog-dns', barChart({ title: 'DNS A queries/s', yLabel: 'q/s', groups, series: [{ name: 'Concord', values: rows.map((r) => r.dnsQps) }] })),
    chart(
      o,
      'scale-catalog-health-p99',
      barChart({ title: '/v1/health/service/<s> p99, 1 connection', yLabel: 'ms', groups, series: [{ name: 'Concord', values: rows.map((r) => r.healthP99) }] }),
    ),
  ];
  console.log(`charts: ${files.join(', ')}`);
}

function reportBlocking(o, rows) {
  console.log('\n## Blocking queries on one key (-dev agent, one connection each)');
  table(
    ['requested', 'held', 'client processes', 'agent fd limit', 'RSS before MiB', 'RSS after MiB', 'KiB per query', 'wake all ms'],
    rows.map((r) => [r.requested, r.count, r.clients ?? 1, r.agentFdLimit ?? r.cap + 1000, f(r.rssBefore), f(r.rssAfter), f(r.kibPerQuery, 2), f(r.wakeMs)]),
  );
  const files = [
    chart(
      o,
      'scale-blocking',
      barChart({
        title: 'Blocking queries held',
        yLabel: 'KiB per query / ms to wake all',
        groups: rows.map((r) => `${r.count} queries`),
        series: [
          { name: 'KiB per query', values: rows.map((r) => r.kibPerQuery) },
          { name: 'wake all (ms)', values: rows.map((r) => r.wakeMs) },
        ],
      }),
    ),
  ];
  console.log(`charts: ${files.join(', ')}`);
}

function reportCluster(o, rows) {
  console.log('\n## Cluster size (fsync on, loopback)');
  table(
    ['servers', 'PUT/s 64 conns', 'PUT/s 1 conn', 'failover p50 s', 'failovers s'],
    rows.map((r) => [r.size, f(r.putRps), f(r.seqRps), f(r.failoverS, 2), r.failovers.map((x) => x.toFixed(2)).join(', ')]),
  );
  const groups = rows.map((r) => `${r.size} servers`);
  const files = [
    chart(
      o,
      'scale-cluster-put',
      barChart({
        title: 'PUT/s on the leader',
        yLabel: 'req/s',
        groups,
        series: [
          { name: '64 connections', values: rows.map((r) => r.putRps) },
          { name: '1 connection', values: rows.map((r) => r.seqRps) },
        ],
      }),
    ),
    chart(
      o,
      'scale-cluster-failover',
      barChart({ title: 'Leader failover (p50)', yLabel: 'seconds', groups, series: [{ name: 'kill -9 to first write', values: rows.map((r) => r.failoverS) }] }),
    ),
  ];
  console.log(`charts: ${files.join(', ')}`);
}

/** Tables and charts again from saved results (`--from a.json,b.json`): parts merged, KV points by key count. */
function rerender(o) {
  const saved = o.from.map((f) => JSON.parse(readFileSync(f, 'utf8')));
  const last = (part) =>
    saved
      .map((r) => r[part])
      .filter(Boolean)
      .at(-1);
  // one point per key count: a later file's replaces an earlier one's
  const kv = [...new Map(saved.flatMap((r) => r.kv ?? []).map((p) => [p.n, p])).values()].sort((a, b) => a.n - b.n);
  if (kv.length > 0) reportKv(o, kv);
  if (last('catalog')) reportCatalog({ ...o, instances: last('catalog')[0].instances }, last('catalog'));
  if (last('blocking')) reportBlocking(o, last('blocking'));
  if (last('cluster')) reportCluster(o, last('cluster'));
  console.log(`\n# from ${o.from.join(', ')}; load averages ${saved.map((r) => `${r.loadStart} -> ${r.loadEnd}`).join('; ')}`);
}

export async function run(args) {
  const o = parseArgs(args);
  if (o.from.length > 0) return rerender(o);
  const dir = mkdtempSync(join(tmpdir(), 'concord-scale-'));
  const results = { started: new Date().toISOString(), loadStart: loadAverage(), cores: cpus().length, options: { ...o, only: [...o.only] } };
  console.log(`# scale: load average at start ${results.loadStart} on ${results.cores} cores`);
  try {
    if (o.only.has('kv')) {
      results.kv = [];
      for (const n of o.keys) results.kv.push(await kvPoint(n, o, dir));
      reportKv(o, results.kv);
    }
    if (o.only.has('catalog')) {
      results.catalog = await catalogPoints(o.services, o, dir);
      reportCatalog(o, results.catalog);
    }
    if (o.only.has('blocking')) {
      results.blocking = [await blockingPoint(o.blocking)];
      reportBlocking(o, results.blocking);
    }
    if (o.only.has('cluster')) {
      results.cluster = [];
      for (const size of o.servers) results.cluster.push(await clusterPoint(size, o, dir));
      reportCluster(o, results.cluster);
    }
  } finally {
    await Promise.all([...children].map(stop));
    rmSync(dir, { recursive: true, force: true });
  }
  results.loadEnd = loadAverage();
  const out = join(here, 'out');
  mkdirSync(out, { recursive: true });
  const file = join(out, `scale-${results.started.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\n# load average at end ${results.loadEnd}; results in ${relative(root, file)}`);
}
