// `npm run bench -- raft-commit-path [--seconds S] [--runs N] [--transports tcp,grpc]`: where one
// sequential writer's time goes on a 3-server Concord cluster (loopback, fsync on). For each Raft
// transport (the framed TCP one, then gRPC, selected with CONCORD_RAFT_TRANSPORT) a fresh cluster
// takes sequential 256-byte PUTs, one at a time on one keep-alive connection, through the leader
// and through a follower. Printed per row: the HTTP PUT p50/p99 seen by the client, the leader's
// `raft.commitTime` mean over the same window (propose to apply on the leader, from
// /v1/agent/metrics), their difference (the HTTP and agent share), and the CPU time each server
// process spent per PUT above its idle rate (/proc/<pid>/stat; the idle rate is taken over 2 s
// before each run), beside one fsync and one loopback round trip measured in the same run.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { concordCluster, concordLeader } from './_concord-cluster.mjs';
import { children, loadAverage, median, stop } from './_http-load.mjs';
import { fsyncRate, loopbackRttMs } from './_raft-anchors.mjs';

const VALUE = Buffer.alloc(256, 'v');
const TICKS_PER_S = 100;

function arg(args, name, def) {
  const i = args.indexOf(name);
  if (i < 0) return def;
  const v = args[i + 1];
  if (v === undefined) throw new Error(`bench raft-commit-path: ${name} needs a value`);
  return v;
}

function cpuMs(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_S;
}

function putOnce(agent, url, key) {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/v1/kv/${key}`, { method: 'PUT', agent, headers: { 'content-length': VALUE.length } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => (res.statusCode === 200 && body === 'true' ? resolve() : reject(new Error(`PUT ${res.statusCode}: ${body}`))));
    });
    req.on('error', reject);
    req.end(VALUE);
  });
}

async function commitTimeMean(server) {
  const m = await (await fetch(`${server.url}/v1/agent/metrics`)).json();
  const s = m.Samples.find((x) => x.Name.endsWith('raft.commitTime'));
  return s ? { mean: s.Mean, count: s.Count } : undefined;
}

/** Sequential PUTs through `target` for `seconds`; client latency and per-server CPU per PUT. */
async function sequential(servers, leader, target, seconds) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const lat = [];
  for (let i = 0; i < 50; i++) await putOnce(agent, target.url, `bench/seq/w${i}`);
  // Each server's CPU while idle (gossip, ticks, metrics), taken off its CPU per PUT below.
  const idle0 = servers.map((s) => cpuMs(s.child.pid));
  const idleStart = performance.now();
  await new Promise((r) => setTimeout(r, 2000));
  const idleMsPerMs = servers.map((s, i) => (cpuMs(s.child.pid) - idle0[i]) / (performance.now() - idleStart));
  const started = performance.now();
  const cpu0 = servers.map((s) => cpuMs(s.child.pid));
  const end = performance.now() + seconds * 1000;
  let n = 0;
  while (performance.now() < end) {
    const t0 = performance.now();
    await putOnce(agent, target.url, `bench/seq/${n++}`);
    lat.push(performance.now() - t0);
  }
  const cpu1 = servers.map((s) => cpuMs(s.child.pid));
  const commit = await commitTimeMean(leader);
  agent.destroy();
  lat.sort((a, b) => a - b);
  const elapsed = performance.now() - started;
  const cpuPerPut = servers.map((s, i) => ({
    name: s.name,
    role: s === leader ? 'leader' : s === target ? 'entry' : 'follower',
    us: ((cpu1[i] - cpu0[i] - idleMsPerMs[i] * elapsed) * 1000) / lat.length,
  }));
  return { n: lat.length, p50: lat[Math.floor(lat.length / 2)], p99: lat[Math.floor(lat.length * 0.99)], commit, cpuPerPut };
}

export async function run(args) {
  const seconds = Number(arg(args, '--seconds', '4'));
  const runs = Number(arg(args, '--runs', '2'));
  const transports = arg(args, '--transports', 'tcp,grpc').split(',');
  const dir = mkdtempSync(join(tmpdir(), 'concord-commit-path-'));
  console.log(`# raft-commit-path: sequential 256-byte PUTs on 3 Concord servers, ${runs} runs x ${seconds}s per row`);
  console.log(`# load average at start: ${loadAverage()}`);
  const rows = [];
  try {
    const fsync = 1000 / fsyncRate(dir);
    const rtt = await loopbackRttMs();
    for (const transport of transports) {
      process.env.CONCORD_RAFT_TRANSPORT = transport;
      const servers = await concordCluster(join(dir, transport));
      delete process.env.CONCORD_RAFT_TRANSPORT;
      const leader = await concordLeader(servers);
      const follower = servers.find((s) => s !== leader);
      for (const [path, target] of [
        ['via leader', leader],
        ['via follower', follower],
      ]) {
        const rs = [];
        for (let r = 0; r < runs; r++) rs.push(await sequential(servers, leader, target, seconds));
        rows.push({ transport, path, rs });
      }
      await Promise.all(servers.map((s) => stop(s.child)));
    }
    const f = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '-');
    console.log(`\none fsync ${f(fsync)} ms, loopback RTT ${f(rtt, 3)} ms (sum ${f(fsync + rtt)} ms)\n`);
    console.log(
      '| raft transport | PUT | PUTs | p50 ms | p99 ms | leader raft.commitTime mean ms | p50 − commitTime ms | CPU µs per PUT above idle (leader / entry server / other) |',
    );
    console.log('|---|---|---:|---:|---:|---:|---:|---|');
    for (const { transport, path, rs } of rows) {
      const p50 = median(rs.map((r) => r.p50));
      const commit = median(rs.map((r) => r.commit?.mean ?? NaN));
      const roles = ['leader', 'entry', 'follower'];
      const cpu = roles
        .map((role) => rs.flatMap((r) => r.cpuPerPut.filter((c) => c.role === role).map((c) => c.us)))
        .filter((xs) => xs.length > 0)
        .map((xs) => f(median(xs), 0))
        .join(' / ');
      console.log(`| ${transport} | ${path} | ${rs.reduce((a, r) => a + r.n, 0)} | ${f(p50)} | ${f(median(rs.map((r) => r.p99)))} | ${f(commit)} | ${f(p50 - commit)} | ${cpu} |`);
    }
  } finally {
    await Promise.all([...children].map(stop));
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\n# load average at end: ${loadAverage()}`);
}
