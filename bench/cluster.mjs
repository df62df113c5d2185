// `npm run bench -- cluster [--runs N] [--seconds S] [--failovers N] [--only put,get,tls,failover]`:
// a 3-server Concord cluster and a 3-member etcd cluster (Debian etcd-server, JSON gateway), both
// on loopback with fsync on, under the same wrk load in a child process, side by side:
//   PUT at 1, 64 and 256 connections (256-byte values, a new key per request) on each leader, and
//     at 64 connections through a follower of each;
//   GET default / ?consistent / ?stale on the Concord leader vs linearizable / serializable ranges
//     on the etcd leader (64 connections);
//   mutual TLS (--only tls): a second 3-server Concord cluster with certificates from `concord tls`
//     and verify_incoming / verify_outgoing / verify_server_hostname, PUT at 64 connections beside
//     the plaintext cluster and beside etcd in the same run, and beside a 3-member etcd with mutual
//     TLS on the same CA and server certificate (client and peer certificate auth; the load
//     generator presents a `concord tls cert create -client` certificate);
//   leader failover: kill -9 of the Concord leader until the first write succeeds through a
//     surviving server (polled every 15 ms); the killed server restarts from its data dir between
//     repetitions.
// Prints medians over the runs, the Concord/etcd ratios, the targets of the cluster issue with
// ok/MISS, and the load average (the machine may be shared). `--conns 64` keeps only the leader's PUT
// rows at those connection counts (the follower row is always measured). `--profile` writes a CPU
// profile of each Concord server (named after the server and its role at the end) under
// bench/out/, prints its top frames and writes a flame graph beside it. CLUSTER_BENCH_NODE_ARGS passes flags
// to the Concord server processes, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" (profiles are written
// when the servers stop at the end; a server killed by the failover part writes none).
import { mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { alive, concordCluster, concordLeader, makePki, mtlsConfigFile, put, startAgent } from './_concord-cluster.mjs';
import { children, compare, etcdLeader, etcdPost, loadAverage, median, notRun, p99RatioOf, printTable, startEtcd, stop, until } from './_http-load.mjs';
import { profileDir, reportProfiles } from './_profile.mjs';

const VALUE = Buffer.alloc(256, 'v');
const POLL_MS = 15;
const PUT_TARGET = { rps: 1.0, p99: 1.5 };
const GET_TARGET = 1.0;
const SEQUENTIAL_TARGET = 1.0;
const FAILOVER_TARGET_S = 2;
const TLS_VS_PLAIN_TARGET = 0.85;
const TLS_VS_ETCD_TARGET = 1.25;

// ---- Concord ----------------------------------------------------------------------------------

/** Waits until `server` serves (?stale) a write acknowledged by the leader after it came back. */
async function caughtUp(servers, server, marker) {
  await until(async () => {
    const leader = await concordLeader(servers);
    return leader !== undefined && (await put(leader, 'bench/marker', marker));
  }, 'a leader after the restart');
  await until(async () => {
    const res = await fetch(`${server.url}/v1/kv/bench/marker?stale&raw`, { signal: AbortSignal.timeout(2000) });
    return res.ok && (await res.text()) === marker;
  }, `${server.name} to catch up`);
}

// ---- failover -----------------------------------------------------------------------------------

export async function failover(servers, reps) {
  const times = [];
  for (let i = 0; i < reps; i++) {
    const leader = await concordLeader(servers);
    if (!leader) throw new Error('no Concord leader before the failover');
    const survivor = servers.find((s) => s !== leader && alive(s));
    const exited = new Promise((r) => leader.child.once('exit', r));
    const started = performance.now();
    process.kill(leader.child.pid, 'SIGKILL');
    await exited;
    children.delete(leader.child);
    for (let n = 0; !(await put(survivor, 'bench/failover', `${i}-${n}`, 1000)); n++) {
      if (performance.now() - started > 30_000) throw new Error('no successful write within 30 s of the failover');
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    times.push(performance.now() - started);
    process.stderr.write(`  failover ${i + 1}: ${leader.name} killed, write through ${survivor.name} after ${(times.at(-1) / 1000).toFixed(2)} s\n`);
    await startAgent(leader);
    await caughtUp(servers, leader, `rep-${i}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  return times;
}

// ---- main -------------------------------------------------------------------------------------

function parseArgs(args) {
  const opts = { runs: 3, seconds: 4, failovers: 5, only: new Set(['put', 'get', 'tls', 'failover']), conns: [1, 64, 256], profile: false };
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--profile') {
      opts.profile = true;
      continue;
    }
    const [flag, inline] = args[i].split('=');
    const value = inline ?? args[++i];
    if (flag === '--runs') opts.runs = Math.max(1, Number(value));
    else if (flag === '--seconds') opts.seconds = Math.max(1, Number(value));
    else if (flag === '--failovers') opts.failovers = Math.max(1, Number(value));
    else if (flag === '--only') opts.only = new Set(value.split(','));
    else if (flag === '--conns') opts.conns = value.split(',').map(Number);
    else throw new Error(`unknown argument ${args[i]} (use --runs N, --seconds S, --failovers N, --only put,get,tls,failover, --conns 1,64,256, --profile)`);
  }
  return opts;
}

function etcdPut(member, key, value) {
  const body = JSON.stringify({ key: Buffer.from(key).toString('base64'), value: value.toString('base64') });
  return etcdPost(member, '/v3/kv/put', body);
}

/** Leader changes seen between scenarios (not counting the deliberate failovers). */
const leaderChanges = { concord: [], etcd: [] };

/**
 * PUT at 64 connections on the mTLS cluster's leader beside the plaintext leader, etcd's, and the
 * leader of etcd with mutual TLS (`tlsMembers`, or the reason it did not start).
 */
async function measureTls(opts, servers, tlsServers, members, tlsMembers) {
  const plain = await concordLeader(servers);
  const secure = await concordLeader(tlsServers);
  const etcd = await etcdLeader(members);
  if (!plain || !secure || !etcd) throw new Error('no leader before the TLS scenarios');
  const subject = { kind: 'put', url: secure.url, path: '/v1/kv/bench/put', connections: 64 };
  return [
    await compare(
      { name: 'PUT via leader, mTLS', connections: 64, anchorName: 'Concord plaintext', target: TLS_VS_PLAIN_TARGET },
      subject,
      { kind: 'put', url: plain.url, path: '/v1/kv/bench/put', connections: 64 },
      opts,
    ),
    await compare(
      { name: 'PUT via leader, mTLS', connections: 64, anchorName: 'etcd PUT via leader', target: TLS_VS_ETCD_TARGET },
      subject,
      { kind: 'etcd', url: etcd.client, connections: 64 },
      opts,
    ),
    await measureEtcdTls(opts, subject, tlsMembers),
  ];
}

async function measureEtcdTls(opts, subject, tlsMembers) {
  const row = { name: 'PUT via leader, mTLS', connections: 64, anchorName: 'etcd mTLS PUT via leader', target: 0 };
  if (typeof tlsMembers === 'string') return notRun(row, tlsMembers);
  const leader = await etcdLeader(tlsMembers);
  if (!leader) return notRun(row, 'no etcd leader with TLS before the scenario');
  return compare(row, subject, { kind: 'etcd', url: leader.client, tls: leader.tls, connections: 64 }, opts);
}

/** etcd with mutual TLS on the certificates of `pki`, or why it would not start. */
async function startEtcdTls(dir, pki) {
  try {
    return await startEtcd(dir, 3, { pki });
  } catch (err) {
    return (err instanceof Error ? err.message : String(err)).split('\n').slice(0, 3).join(' ');
  }
}

/**
 * The processes of a cluster, for CPU time per request: a write costs CPU on every server (the
 * one that takes the request, the leader, the followers that store it), summed.
 */
const pidsOf = (procs) => procs.map((p) => p.child.pid);

async function measure(opts, servers, members) {
  const rows = [];
  // Each scenario goes to the leaders of the moment; a change of leader between scenarios is
  // counted and printed (it means an election happened under the previous load).
  let cl;
  let el;
  let cf;
  let ef;
  const leaders = async () => {
    const c = await concordLeader(servers);
    const e = await etcdLeader(members);
    if (!c || !e) throw new Error('no leader between two scenarios');
    if (cl && c !== cl) leaderChanges.concord.push(`${cl.name} -> ${c.name}`);
    if (el && e !== el) leaderChanges.etcd.push('etcd');
    cl = c;
    el = e;
    cf = servers.find((s) => s !== cl);
    ef = members.find((m) => m !== el);
  };
  await leaders();
  if (opts.only.has('put')) {
    for (const connections of opts.conns) {
      const judged = connections >= 64;
      await leaders();
      rows.push(
        await compare(
          { name: 'PUT via leader', connections, anchorName: 'etcd PUT via leader', target: judged ? PUT_TARGET.rps : 0, ...(judged ? { p99Target: PUT_TARGET.p99 } : {}) },
          { kind: 'put', url: cl.url, path: '/v1/kv/bench/put', connections, pids: pidsOf(servers) },
          { kind: 'etcd', url: el.client, connections, pids: pidsOf(members) },
          opts,
        ),
      );
    }
    await leaders();
    rows.push(
      await compare(
        { name: 'PUT via follower', connections: 64, anchorName: 'etcd PUT via follower', target: 0 },
        { kind: 'put', url: cf.url, path: '/v1/kv/bench/put', connections: 64, pids: pidsOf(servers) },
        { kind: 'etcd', url: ef.client, connections: 64, pids: pidsOf(members) },
        opts,
      ),
    );
  }
  if (opts.only.has('get')) {
    await leaders();
    if (!(await put(cl, 'bench/get', VALUE))) throw new Error('could not write bench/get to Concord');
    if (!(await etcdPut(el, 'bench/get', VALUE)).ok) throw new Error('could not write bench/get to etcd');
    for (const [name, query, serializable, target] of [
      ['GET default', '', false, GET_TARGET],
      ['GET ?consistent', '?consistent', false, 0],
      ['GET ?stale', '?stale', true, 0],
    ]) {
      await leaders();
      rows.push(
        await compare(
          { name, connections: 64, anchorName: serializable ? 'etcd serializable' : 'etcd linearizable', target },
          { kind: 'get', url: cl.url, path: `/v1/kv/bench/get${query}`, connections: 64 },
          { kind: 'etcd-range', url: el.client, key: 'bench/get', serializable, connections: 64 },
          opts,
        ),
      );
    }
  }
  return rows;
}

function printTargets(rows, failovers) {
  const targets = [];
  for (const r of rows.filter((x) => !x.notRun)) {
    const what = `${r.name} ${r.connections} conns`;
    if (r.target > 0) targets.push([`${what}: req/s >= ${r.target.toFixed(2)}x ${r.anchorName}`, `${r.ratio.toFixed(2)}x`, r.ratio >= r.target]);
    if (r.p99Target !== undefined) targets.push([`${what}: p99 <= ${r.p99Target.toFixed(1)}x ${r.anchorName}`, `${p99RatioOf(r).toFixed(2)}x`, p99RatioOf(r) <= r.p99Target]);
  }
  // Issue 19: a write through a follower at least on par with the leader path (etcd serves both
  // at almost the same rate), and the sequential writer (1 connection) at least etcd's rate.
  const via = (name, connections) => rows.find((x) => !x.notRun && x.name === name && x.connections === connections);
  const viaFollower = via('PUT via follower', 64);
  const viaLeader = via('PUT via leader', 64);
  if (viaFollower && viaLeader) {
    targets.push([
      `PUT via follower 64 conns: ratio >= PUT via leader 64 conns' (${viaLeader.ratio.toFixed(2)}x)`,
      `${viaFollower.ratio.toFixed(2)}x`,
      viaFollower.ratio >= viaLeader.ratio,
    ]);
    // The same by CPU time per write of all three servers against all three etcd members: what
    // each would reach with cores of its own, which other load on the machine moves far less.
    const cpuRatio = (r) => (r.subject.cpuUs > 0 && r.anchor.cpuUs > 0 ? r.anchor.cpuUs / r.subject.cpuUs : undefined);
    const f = cpuRatio(viaFollower);
    const l = cpuRatio(viaLeader);
    if (f !== undefined && l !== undefined) targets.push([`PUT via follower 64 conns: CPU ratio >= PUT via leader 64 conns' (${l.toFixed(2)}x)`, `${f.toFixed(2)}x`, f >= l]);
  }
  const sequential = via('PUT via leader', 1);
  if (sequential)
    targets.push([
      `PUT via leader 1 conn (sequential writer): req/s >= ${SEQUENTIAL_TARGET.toFixed(2)}x etcd`,
      `${sequential.ratio.toFixed(2)}x`,
      sequential.ratio >= SEQUENTIAL_TARGET,
    ]);
  if (failovers.length > 0) {
    const p50 = median(failovers) / 1000;
    targets.push([`leader failover p50 <= ${FAILOVER_TARGET_S} s`, `${p50.toFixed(2)} s`, p50 <= FAILOVER_TARGET_S]);
  }
  const w0 = Math.max(...targets.map((t) => t[0].length));
  const w1 = Math.max(...targets.map((t) => t[1].length));
  console.log('targets:');
  for (const [name, value, ok] of targets) console.log(`  ${name.padEnd(w0)}  ${value.padStart(w1)}  ${ok ? 'ok' : 'MISS'}`);
  const missed = targets.filter((t) => !t[2]).length;
  console.log(`  ${targets.length - missed} of ${targets.length} targets met`);
}

export async function run(args) {
  const opts = parseArgs(args);
  const dir = mkdtempSync(join(tmpdir(), 'concord-cluster-bench-'));
  let rows = [];
  let failovers = [];
  const startedAt = performance.now();
  console.log(`# cluster: 3 Concord servers vs 3 etcd members on loopback, fsync on, 256-byte values, median of ${opts.runs} runs x ${opts.seconds}s`);
  console.log(`# load average at start: ${loadAverage()}`);
  const profile = opts.profile ? profileDir('cluster') : undefined;
  if (profile) process.env.CLUSTER_BENCH_NODE_ARGS = `${process.env.CLUSTER_BENCH_NODE_ARGS ?? ''} --cpu-prof --cpu-prof-dir=${profile.dir}`;
  let roles = new Map();
  try {
    const servers = await concordCluster(join(dir, 'concord'));
    const members = await startEtcd(join(dir, 'etcd'), 3);
    rows = await measure(opts, servers, members);
    if (opts.only.has('tls')) {
      const pki = makePki(join(dir, 'pki'));
      const tlsServers = await concordCluster(join(dir, 'concord-tls'), { configFile: mtlsConfigFile(pki, join(dir, 'pki')) });
      const tlsMembers = await startEtcdTls(join(dir, 'etcd-tls'), pki);
      rows.push(...(await measureTls(opts, servers, tlsServers, members, tlsMembers)));
      await Promise.all(tlsServers.map((s) => stop(s.child)));
      if (typeof tlsMembers !== 'string') await Promise.all(tlsMembers.map((m) => stop(m.child)));
    }
    await Promise.all(members.map((m) => stop(m.child)));
    if (opts.only.has('failover')) failovers = await failover(servers, opts.failovers);
    const leader = await concordLeader(servers);
    roles = new Map(servers.filter((s) => s.child).map((s) => [s.child.pid, `${s.name}-${s === leader ? 'leader' : 'follower'}`]));
    // A server writes its profile as it exits: time to leave the cluster and stop.
    if (profile) await Promise.all(servers.filter((s) => s.child).map((s) => stop(s.child, 30_000)));
  } finally {
    await Promise.all([...children].map(stop));
    rmSync(dir, { recursive: true, force: true });
  }
  if (profile) {
    // Node names a profile CPU.<date>.<pid>.<tid>.<seq>.cpuprofile: named after the server here.
    for (const f of readdirSync(profile.dir)) {
      const pid = Number(f.split('.')[3]);
      if (roles.has(pid)) renameSync(join(profile.dir, f), join(profile.dir, `${roles.get(pid)}.cpuprofile`));
    }
    reportProfiles(profile.dir, 20);
  }
  console.log('');
  if (rows.length > 0) printTable(rows);
  if (failovers.length > 0) {
    const secs = failovers.map((t) => (t / 1000).toFixed(2)).join(', ');
    console.log(
      `\nleader failover (kill -9 to first successful write through a survivor, polled every ${POLL_MS} ms): p50 ${(median(failovers) / 1000).toFixed(2)} s over ${failovers.length} runs (${secs} s)`,
    );
  }
  console.log('');
  printTargets(rows, failovers);
  const lc = leaderChanges;
  console.log(`\nleader changes between scenarios: Concord ${lc.concord.length}${lc.concord.length ? ` (${lc.concord.join(', ')})` : ''}, etcd ${lc.etcd.length}`);
  console.log(`\n# load average at end: ${loadAverage()} on ${cpus().length} cores; total ${((performance.now() - startedAt) / 1000).toFixed(0)} s`);
}
