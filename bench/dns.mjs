// DNS benchmark: dnsperf against Concord's DNS server and, in the same run, against dnsmasq
// serving the same names from a hosts file and srv-host lines on another loopback port.
//
//   npm run bench -- dns [--duration 3] [--runs 3] [--sizes 1,10,100] [--services 20] [--edns]
//                        [--follow-runs 10] [--no-follow] [--outstanding 100] [--profile]
//
// The Concord DNS server runs in this process; --profile records a CPU profile of it during the
// throughput runs (node:inspector) and prints its top frames and flame graph (bench/out/).
// Each server's CPU time per query is read beside its queries/s (this process's CPU time for
// Concord, /proc for dnsmasq), and its busy share of a core tells whether it or dnsperf was the
// bottleneck.
//
// For each query mix (A, SRV on `<svc>.service.consul`, SRV on the prepared query
// `<q>.query.consul` selecting the same instances) and each instance count, it measures the
// maximum queries/s of both servers (dnsperf, 100 queries outstanding), then the latency of both
// at a fixed rate of half of Concord's maximum (average and p99 from dnsperf's per-query log).
// Then the HAProxy follow lag: a real agent and HAProxy (`server-template` over SRV, `hold valid
// 1s`) under steady load; from registering (or deregistering) an instance over HTTP to its first
// (or last) request through HAProxy.
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { StateStore, emptyPreparedQuery } from '@concord/state';

import { defaultDnsConfig, startDnsServer, stateCatalog } from '../packages/agent/dist/src/dns/index.js';
import { QueryHandler } from '../packages/agent/dist/src/dns/query-handler.js';
import { followLag } from './_haproxy-follow.mjs';
import { cpuTimeUs, loadAverage } from './_http-load.mjs';
import { profileDir, reportProfiles } from './_profile.mjs';

/** This process's CPU time in microseconds: the Concord DNS server runs in it, dnsperf does not. */
const ownCpu = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

function parseArgs(args) {
  const o = { duration: 3, runs: 3, sizes: [1, 10, 100], services: 20, edns: false, followRuns: 10, follow: true, outstanding: 100, profile: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--duration') o.duration = Number(args[++i]);
    else if (a === '--runs') o.runs = Number(args[++i]);
    else if (a === '--sizes') o.sizes = String(args[++i]).split(',').map(Number);
    else if (a === '--services') o.services = Number(args[++i]);
    else if (a === '--edns') o.edns = true;
    else if (a === '--follow-runs') o.followRuns = Number(args[++i]);
    else if (a === '--no-follow') o.follow = false;
    else if (a === '--outstanding') o.outstanding = Number(args[++i]);
    else if (a === '--profile') o.profile = true;
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function freePort() {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Runs a child to completion (bounded by `timeoutMs`), killing it by PID on timeout. */
function runChild(cmd, args, timeoutMs) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => process.kill(child.pid, 'SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

/**
 * One dnsperf run. With `cpu` (a function giving the server's CPU time in microseconds) it also
 * gives the server's CPU time per completed query, and its busy share of one core: a server under
 * 90% busy was not the bottleneck.
 */
async function dnsperf(port, file, o, { rate, verbose, cpu } = {}) {
  const args = ['-s', '127.0.0.1', '-p', String(port), '-d', file, '-l', String(o.duration), '-c', '1', '-q', String(o.outstanding), '-t', '2'];
  if (o.edns) args.push('-e');
  if (rate) args.push('-Q', String(Math.max(1, Math.round(rate))));
  if (verbose) args.push('-v');
  const cpu0 = cpu?.();
  const t0 = performance.now();
  const out = await runChild('dnsperf', args, (o.duration + 10) * 1000);
  const cpuSpent = cpu ? cpu() - cpu0 : NaN;
  const busy = cpuSpent / ((performance.now() - t0) * 1000);
  const completed = Number(out.match(/Queries completed:\s+(\d+)/)?.[1] ?? NaN);
  const qps = Number(out.match(/Queries per second:\s+([\d.]+)/)?.[1] ?? NaN);
  const lost = Number(out.match(/Queries lost:\s+(\d+)/)?.[1] ?? NaN);
  const avg = Number(out.match(/Average Latency \(s\):\s+([\d.]+)/)?.[1] ?? NaN) * 1000;
  let p99 = NaN;
  if (verbose) {
    const lat = [];
    for (const m of out.matchAll(/^> \S+ \S+ \S+ ([\d.]+)$/gm)) lat.push(Number(m[1]) * 1000);
    lat.sort((a, b) => a - b);
    if (lat.length) p99 = lat[Math.min(lat.length - 1, Math.floor(lat.length * 0.99))];
  }
  return { qps, lost, avg, p99, cpuUs: cpuSpent / completed, busy };
}

function waitForAnswer(port, timeoutMs = 5000) {
  // a plain query for the apex SOA; any reply means the server is up
  const q = Buffer.from('abcd01000001000000000000076578616d706c6503636f6d0000060001', 'hex');
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    let done = false;
    const tick = () => {
      if (done) return;
      if (Date.now() > deadline) {
        done = true;
        sock.close();
        reject(new Error(`no DNS answer on port ${port}`));
        return;
      }
      sock.send(q, port, '127.0.0.1');
      setTimeout(tick, 100).unref();
    };
    sock.on('message', () => {
      if (done) return;
      done = true;
      sock.close();
      resolve();
    });
    tick();
  });
}

function fixture(n, services) {
  const state = new StateStore({ datacenter: 'dc1' });
  const hosts = [];
  const srv = [];
  let index = 0;
  let ip = 0;
  for (let s = 0; s < services; s++) {
    const name = `svc${s}`;
    for (let i = 0; i < n; i++) {
      ip++;
      const address = `10.${(ip >> 16) & 255}.${(ip >> 8) & 255}.${ip & 255}`;
      const node = `${name}-node-${i}`;
      state.apply(++index, {
        type: 'register',
        reg: {
          Node: node,
          Address: address,
          Service: { ID: name, Service: name, Port: 8000 + i },
          Checks: [{ CheckID: 'serfHealth', Name: 'Serf Health Status', Status: 'passing' }],
        },
      });
      hosts.push(`${address} ${name}.service.consul`, `${address} ${node}.node.dc1.consul`);
      srv.push(`srv-host=${name}.service.consul,${node}.node.dc1.consul,${8000 + i},1,1`);
      srv.push(`srv-host=q${s}.query.consul,${node}.node.dc1.consul,${8000 + i},1,1`);
    }
    // a prepared query selecting the same instances
    const query = emptyPreparedQuery(`00000000-0000-4000-8000-${String(s).padStart(12, '0')}`);
    query.Name = `q${s}`;
    query.Service.Service = name;
    const r = state.apply(++index, { type: 'query-set', op: 'create', query });
    if (r.error) throw r.error;
  }
  return { state, hosts, srv };
}

async function startDnsmasq(dir, fx) {
  const port = await freePort();
  const hostsFile = join(dir, 'hosts');
  writeFileSync(hostsFile, `${fx.hosts.join('\n')}\n`);
  const conf = join(dir, 'dnsmasq.conf');
  writeFileSync(
    conf,
    [`port=${port}`, 'listen-address=127.0.0.1', 'bind-interfaces', 'no-resolv', 'no-hosts', `addn-hosts=${hostsFile}`, 'local=/consul/', 'cache-size=10000', ...fx.srv, ''].join(
      '\n',
    ),
  );
  const child = spawn('dnsmasq', ['-k', `--conf-file=${conf}`, '--pid-file', '--user=root'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  try {
    await waitForAnswer(port);
  } catch (e) {
    process.kill(child.pid, 'SIGKILL');
    throw new Error(`dnsmasq did not start: ${err || e.message}`);
  }
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      process.kill(child.pid, 'SIGTERM');
      setTimeout(() => child.exitCode === null && process.kill(child.pid, 'SIGKILL'), 2000).unref();
    });
  return { port, stop, pid: child.pid };
}

/** A plain DNS query packet (RD set, no EDNS). */
function queryPacket(name, qtype) {
  const labels = name.split('.').filter(Boolean);
  const buf = Buffer.alloc(12 + labels.reduce((n, l) => n + 1 + l.length, 1) + 4);
  buf.writeUInt16BE(1, 0);
  buf.writeUInt16BE(0x0100, 2);
  buf.writeUInt16BE(1, 4);
  let off = 12;
  for (const l of labels) {
    buf[off++] = l.length;
    off += buf.write(l, off, 'latin1');
  }
  buf[off++] = 0;
  buf.writeUInt16BE(qtype, off);
  buf.writeUInt16BE(1, off + 2);
  return buf;
}

/**
 * CPU time per query of the DNS query handler alone (no sockets), in microseconds: a measure that
 * load from other processes on the machine does not move as it moves queries/s.
 */
async function cpuPerQuery(state, names, count = 200_000) {
  const handler = new QueryHandler({ catalog: stateCatalog(state), config: defaultDnsConfig(), domains: ['consul'], datacenter: 'dc1', relay: { enabled: false } });
  const packets = names.map((n) => queryPacket(n, 33));
  for (const p of packets) await handler.handle(p, false);
  const runs = [];
  for (let r = 0; r < 3; r++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < count; i++) {
      const out = handler.handle(packets[i % packets.length], false);
      if (out instanceof Promise) await out;
    }
    const c = process.cpuUsage(c0);
    runs.push((c.user + c.system) / count);
  }
  return median(runs);
}

/** A CPU profile of this process (the Concord DNS server's), written under bench/out/ when stopped. */
async function startProfiler() {
  const session = new Session();
  session.connect();
  const post = (method, params) => new Promise((resolve, reject) => session.post(method, params, (err, r) => (err ? reject(err) : resolve(r))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  await post('Profiler.start');
  return {
    async stop(label) {
      const { profile } = await post('Profiler.stop');
      session.disconnect();
      const { dir } = profileDir('dns');
      writeFileSync(join(dir, `${label}.cpuprofile`), JSON.stringify(profile));
      reportProfiles(dir);
    },
  };
}

const fmt = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '-');

export async function run(args) {
  const o = parseArgs(args);
  for (const bin of ['dnsperf', 'dnsmasq']) {
    if (spawnSync(bin, ['--version']).error) {
      process.stderr.write(`${bin} is not installed (apt-get install -y dnsperf dnsmasq-base)\n`);
      process.exitCode = 1;
      return;
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'concord-dns-bench-'));
  const rows = [];
  const cpu = new Map();
  try {
    for (const n of o.sizes) {
      const fx = fixture(n, o.services);
      const names = (f) => Array.from({ length: o.services }, (_, s) => f(s));
      cpu.set(n, {
        svc: await cpuPerQuery(
          fx.state,
          names((s) => `svc${s}.service.consul`),
        ),
        query: await cpuPerQuery(
          fx.state,
          names((s) => `q${s}.query.consul`),
        ),
      });
      const server = await startDnsServer({
        catalog: stateCatalog(fx.state),
        config: { ...defaultDnsConfig(), domain: 'consul.', datacenter: 'dc1', recursors: [], bindAddress: '127.0.0.1', port: 0 },
      });
      const dnsmasq = await startDnsmasq(dir, fx);
      try {
        const mixes = ['A', 'SRV', 'query SRV'];
        const files = new Map();
        for (const mix of mixes) {
          const file = join(dir, `queries-${mix.replace(' ', '-')}`);
          const qname = (s) => (mix === 'query SRV' ? `q${s}.query.consul SRV` : `svc${s}.service.consul ${mix}`);
          writeFileSync(file, `${Array.from({ length: o.services }, (_, s) => qname(s)).join('\n')}\n`);
          files.set(mix, file);
          // warm both servers (JIT, caches) before measuring
          await dnsperf(server.udpPort, file, { ...o, duration: 1 });
          await dnsperf(dnsmasq.port, file, { ...o, duration: 1 });
        }
        // runs of the mixes interleave, so that load from elsewhere falls on all of them alike
        const profiler = o.profile ? await startProfiler() : undefined;
        const cq = new Map(mixes.map((m) => [m, []]));
        const dq = new Map(mixes.map((m) => [m, []]));
        for (let r = 0; r < o.runs; r++) {
          for (const mix of mixes) {
            cq.get(mix).push(await dnsperf(server.udpPort, files.get(mix), o, { cpu: ownCpu }));
            dq.get(mix).push(await dnsperf(dnsmasq.port, files.get(mix), o, { cpu: () => cpuTimeUs(dnsmasq.pid) }));
          }
        }
        if (profiler) await profiler.stop(`dns-x${n}`);
        for (const mix of mixes) {
          const file = files.get(mix);
          const concordQps = median(cq.get(mix).map((r) => r.qps));
          const dnsmasqQps = median(dq.get(mix).map((r) => r.qps));
          const cpu = {
            concord: median(cq.get(mix).map((r) => r.cpuUs)),
            dnsmasq: median(dq.get(mix).map((r) => r.cpuUs)),
            concordBusy: median(cq.get(mix).map((r) => r.busy)),
            dnsmasqBusy: median(dq.get(mix).map((r) => r.busy)),
          };
          const rate = concordQps / 2;
          const cl = await dnsperf(server.udpPort, file, o, { rate, verbose: true });
          const dl = await dnsperf(dnsmasq.port, file, o, { rate, verbose: true });
          rows.push({ mix, n, concordQps, dnsmasqQps, rate, cl, dl, cpu, concordRuns: cq.get(mix).map((r) => r.qps) });
          process.stderr.write(`  ${mix} x${n}: concord ${fmt(concordQps)} q/s, dnsmasq ${fmt(dnsmasqQps)} q/s\n`);
        }
      } finally {
        await dnsmasq.stop();
        await server.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const head = [
    'mix',
    'instances',
    'concord q/s',
    'dnsmasq q/s',
    'ratio',
    'CPU us/q concord',
    'dnsmasq',
    'CPU ratio',
    'busy concord/dnsmasq',
    '@ rate q/s',
    'concord avg/p99 ms',
    'dnsmasq avg/p99 ms',
  ];
  const body = rows.map((r) => [
    r.mix,
    String(r.n),
    fmt(r.concordQps),
    fmt(r.dnsmasqQps),
    `${fmt((100 * r.concordQps) / r.dnsmasqQps)}%`,
    fmt(r.cpu.concord, 2),
    fmt(r.cpu.dnsmasq, 2),
    `${fmt(r.cpu.dnsmasq / r.cpu.concord, 2)}x`,
    `${fmt(100 * r.cpu.concordBusy)}% / ${fmt(100 * r.cpu.dnsmasqBusy)}%`,
    fmt(r.rate),
    `${fmt(r.cl.avg, 2)} / ${fmt(r.cl.p99, 2)}`,
    `${fmt(r.dl.avg, 2)} / ${fmt(r.dl.p99, 2)}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(
    `\nDNS: dnsperf -c 1 -q ${o.outstanding} -l ${o.duration}${o.edns ? ' -e' : ''}, ${o.services} services per mix, median of ${o.runs} run(s); latency at half of Concord's max`,
  );
  console.log(`load average ${loadAverage()}; CPU ratio: dnsmasq's CPU time per query over Concord's`);
  console.log(line(head));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const b of body) console.log(line(b));

  console.log('\nPrepared query SRV vs service SRV (Concord, same run, same instances, runs interleaved): goal >= 0.9x');
  for (const n of o.sizes) {
    const svc = rows.find((r) => r.n === n && r.mix === 'SRV');
    const q = rows.find((r) => r.n === n && r.mix === 'query SRV');
    if (!svc || !q) continue;
    const best = (r) => Math.max(...r.concordRuns);
    const c = cpu.get(n);
    console.log(
      `  x${n}: median ${fmt(q.concordQps)} / ${fmt(svc.concordQps)} q/s = ${fmt(q.concordQps / svc.concordQps, 2)}x;` +
        ` best run ${fmt(best(q))} / ${fmt(best(svc))} q/s = ${fmt(best(q) / best(svc), 2)}x;` +
        ` handler CPU ${fmt(c.query, 2)} / ${fmt(c.svc, 2)} us per query = ${fmt(c.svc / c.query, 2)}x the throughput`,
    );
  }

  if (!o.follow) return;
  if (spawnSync('haproxy', ['-v']).error) {
    console.log('\nHAProxy follow lag: skipped (haproxy is not installed)');
    return;
  }
  const lag = await followLag({ runs: o.followRuns });
  console.log(`\nHAProxy follow lag (server-template over SRV, hold valid 1s, timeout resolve 1s; ${lag.added.length} runs): goal p50 <= 1 s`);
  console.log(`  registered -> first request:   p50 ${fmt(lag.p50(lag.added))} ms, p90 ${fmt(lag.p90(lag.added))} ms, max ${fmt(Math.max(...lag.added))} ms`);
  console.log(`  deregistered -> last request:  p50 ${fmt(lag.p50(lag.removed))} ms, p90 ${fmt(lag.p90(lag.removed))} ms, max ${fmt(Math.max(...lag.removed))} ms`);
}
