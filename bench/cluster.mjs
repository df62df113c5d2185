// `npm run bench -- cluster [--runs N] [--seconds S] [--failovers N]`: a 3-server Concord cluster
// and a 3-member etcd cluster (Debian etcd-server, JSON gateway), both on loopback with fsync on,
// under the same autocannon load in a child process, side by side:
//   PUT at 1, 64 and 256 connections (256-byte values, a new key per request) on each leader;
//   GET default / ?consistent / ?stale on Concord vs linearizable / serializable ranges on etcd;
//   leader failover: kill -9 of the leader until the first write succeeds through a survivor.
// Prints medians over the runs, the Concord/etcd ratios and the targets of the cluster issue.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { children, compare, concordBin, ensureEtcd, freePorts, median, printTable, startChild, stop, until } from './_http-load.mjs';

const VALUE = Buffer.alloc(256, 'v');
const BANNER = /Client Addr: .*\(HTTP: (\d+)[\s\S]*Cluster Addr: .*\(LAN: (\d+)/;

// ---- Concord ----------------------------------------------------------------------------------

async function startServer(dir, name, ports, join) {
  const args = [
    concordBin, 'agent', '-server', '-bootstrap-expect=3', '-node', name, '-data-dir', `${dir}/${name}`,
    '-bind', '127.0.0.1', '-client', '127.0.0.1', '-http-port', String(ports.http), '-dns-port', '-1', '-server-port', String(ports.rpc),
    '-serf-lan-port', String(ports.serf), '-log-level', 'warn', ...(join ? ['-retry-join', join, '-retry-interval', '1s'] : []),
  ];
  const { child } = await startChild(process.execPath, args, (out) => (BANNER.test(out) ? true : undefined));
  return { name, child, args, url: `http://127.0.0.1:${ports.http}`, ports };
}

async function concordCluster(dir) {
  const ports = await freePorts(9);
  const at = (i) => ({ http: ports[i * 3], rpc: ports[i * 3 + 1], serf: ports[i * 3 + 2] });
  const first = await startServer(dir, 'c1', at(0));
  const join = `127.0.0.1:${at(0).serf}`;
  const servers = [first, await startServer(dir, 'c2', at(1), join), await startServer(dir, 'c3', at(2), join)];
  await until(async () => (await concordLeader(servers)) !== undefined, 'a Concord leader');
  const leader = await concordLeader(servers);
  await until(async () => {
    const res = await fetch(`${leader.url}/v1/kv/bench/ready`, { method: 'PUT', body: 'x' });
    return res.ok && (await res.text()) === 'true';
  }, 'Concord to accept writes');
  return servers;
}

async function concordLeader(servers) {
  for (const s of servers) {
    if (s.child.exitCode !== null || s.child.signalCode !== null) continue;
    try {
      const self = await (await fetch(`${s.url}/v1/agent/self`, { signal: AbortSignal.timeout(2000) })).json();
      if (self.Stats?.consul?.leader === 'true') return s;
    } catch {
      // not up
    }
  }
  return undefined;
}

// ---- etcd ---------------------------------------------------------------------------------------

async function etcdCluster(dir) {
  const bin = ensureEtcd();
  const ports = await freePorts(6);
  const members = [0, 1, 2].map((i) => ({ name: `e${i + 1}`, client: `http://127.0.0.1:${ports[i * 2]}`, peer: `http://127.0.0.1:${ports[i * 2 + 1]}` }));
  const initial = members.map((m) => `${m.name}=${m.peer}`).join(',');
  for (const m of members) {
    const args = [
      '--name', m.name, '--data-dir', join(dir, m.name), '--listen-client-urls', m.client, '--advertise-client-urls', m.client,
      '--listen-peer-urls', m.peer, '--initial-advertise-peer-urls', m.peer, '--initial-cluster', initial,
      '--initial-cluster-state', 'new', '--initial-cluster-token', `bench-${process.pid}`, '--log-level', 'warn',
    ];
    m.child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'ignore'] });
    children.add(m.child);
  }
  await until(async () => (await etcdLeader(members)) !== undefined, 'an etcd leader');
  const leader = await etcdLeader(members);
  await until(async () => (await fetch(`${leader.client}/v3/kv/put`, { method: 'POST', body: JSON.stringify({ key: 'cmVhZHk=', value: 'eA==' }) })).ok, 'etcd to accept writes');
  return members;
}

async function etcdLeader(members) {
  for (const m of members) {
    try {
      const st = await (await fetch(`${m.client}/v3/maintenance/status`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(2000) })).json();
      if (st.header?.member_id && st.header.member_id === st.leader) return m;
    } catch {
      // not up
    }
  }
  return undefined;
}

// ---- failover -------------------------------------------------------------------------------------

async function failover(servers, reps) {
  const times = [];
  for (let i = 0; i < reps; i++) {
    const leader = await concordLeader(servers);
    const survivor = servers.find((s) => s !== leader);
    process.kill(leader.child.pid, 'SIGKILL');
    const started = performance.now();
    await new Promise((r) => leader.child.once('exit', r));
    for (let n = 0; ; n++) {
      try {
        const res = await fetch(`${survivor.url}/v1/kv/bench/failover`, { method: 'PUT', body: String(n), signal: AbortSignal.timeout(1000) });
        if (res.ok && (await res.text()) === 'true') break;
      } catch {
        // keep polling
      }
      if (performance.now() - started > 30_000) throw new Error('no successful write within 30 s of the failover');
      await new Promise((r) => setTimeout(r, 20));
    }
    times.push(performance.now() - started);
    process.stderr.write(`  failover ${i + 1}: ${(times.at(-1) / 1000).toFixed(2)} s\n`);
    // Bring the killed server back on its ports and data dir, then wait for a stable leader.
    children.delete(leader.child);
    const { child } = await startChild(process.execPath, leader.args, (out) => (BANNER.test(out) ? true : undefined));
    leader.child = child;
    await until(async () => {
      const l = await concordLeader(servers);
      if (!l) return false;
      const conf = await (await fetch(`${l.url}/v1/operator/raft/configuration`)).json();
      return conf.Servers.length === 3;
    }, 'the cluster to recover');
    await new Promise((r) => setTimeout(r, 1000));
  }
  return times;
}

// ---- main -------------------------------------------------------------------------------------

function parseArgs(args) {
  const opts = { runs: 3, seconds: 3, failovers: 5 };
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split('=');
    const value = inline ?? args[++i];
    if (flag === '--runs') opts.runs = Math.max(1, Number(value));
    else if (flag === '--seconds') opts.seconds = Math.max(1, Number(value));
    else if (flag === '--failovers') opts.failovers = Math.max(1, Number(value));
    else throw new Error(`unknown argument ${args[i]} (use --runs N, --seconds S, --failovers N)`);
  }
  return opts;
}

export async function run(args) {
  const opts = parseArgs(args);
  const dir = mkdtempSync(join(tmpdir(), 'concord-cluster-bench-'));
  const rows = [];
  let failovers = [];
  console.log(`# cluster: 3 Concord servers vs 3 etcd members, fsync on, 256-byte values, median of ${opts.runs} runs x ${opts.seconds}s`);
  try {
    const servers = await concordCluster(join(dir, 'concord'));
    const members = await etcdCluster(join(dir, 'etcd'));
    const cl = await concordLeader(servers);
    const el = await etcdLeader(members);
    const follower = servers.find((s) => s !== cl);
    for (const connections of [1, 64, 256]) {
      rows.push(
        await compare(
          { name: 'PUT (leader)', connections, anchorName: 'etcd PUT', target: connections >= 64 ? 1.0 : 0 },
          { kind: 'put', url: cl.url, path: '/v1/kv/bench/put', connections },
          { kind: 'etcd', url: el.client, connections },
          opts,
        ),
      );
    }
    rows.push(
      await compare(
        { name: 'PUT (follower)', connections: 64, anchorName: 'etcd PUT', target: 0 },
        { kind: 'put', url: follower.url, path: '/v1/kv/bench/put', connections: 64 },
        { kind: 'etcd', url: el.client, connections: 64 },
        opts,
      ),
    );
    await fetch(`${cl.url}/v1/kv/bench/get`, { method: 'PUT', body: VALUE });
    await fetch(`${el.client}/v3/kv/put`, { method: 'POST', body: JSON.stringify({ key: Buffer.from('bench/get').toString('base64'), value: VALUE.toString('base64') }) });
    for (const [name, query, serializable, target] of [
      ['GET default', '', false, 1.0],
      ['GET ?consistent', '?consistent', false, 0],
      ['GET ?stale', '?stale', true, 0],
    ]) {
      rows.push(
        await compare(
          { name, connections: 64, anchorName: serializable ? 'etcd serializable' : 'etcd linearizable', target },
          { kind: 'get', url: cl.url, path: `/v1/kv/bench/get${query}`, connections: 64 },
          { kind: 'etcd-range', url: el.client, key: 'bench/get', serializable, connections: 64 },
          opts,
        ),
      );
    }
    failovers = await failover(servers, opts.failovers);
  } finally {
    await Promise.all([...children].map(stop));
    rmSync(dir, { recursive: true, force: true });
  }
  console.log('');
  printTable(rows);
  console.log('');
  for (const r of rows.filter((x) => x.name.startsWith('PUT (leader)') && x.connections >= 64)) {
    const ratio = r.anchor.p99 > 0 ? r.subject.p99 / r.anchor.p99 : 0;
    console.log(`PUT p99 at ${r.connections} connections: ${r.subject.p99} ms vs etcd ${r.anchor.p99} ms = ${ratio.toFixed(2)}x (target <= 1.50x ${ratio <= 1.5 ? 'ok' : 'MISS'})`);
  }
  const p50 = median(failovers) / 1000;
  console.log(`leader failover (kill -9 to first successful write), ${failovers.length} runs: p50 ${p50.toFixed(2)} s, max ${(Math.max(...failovers) / 1000).toFixed(2)} s (target p50 <= 2 s ${p50 <= 2 ? 'ok' : 'MISS'})`);
  console.log(`(targets of 0.00x are reported, not judged; load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(2)).join(' ')})`);
}
