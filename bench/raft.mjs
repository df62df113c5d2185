// `npm run bench -- raft [--runs N] [--seconds S] [--proposers N] [--transports tcp,grpc]
// [--storage wal|level]`: three raft-ts servers in separate processes on loopback with WalStorage
// (default, what servers use) or LevelStorage (fsync on), once per Raft
// transport (the framed TCP one, then gRPC). 256-byte proposals from 1 and 256 concurrent
// proposers on the leader: commits/s, commit latency p50/p99 and entries per fsync, printed beside
// this machine's raw fsync rate and loopback round trip measured in the same run. The 1-proposer
// row is also set beside the same commit path without Raft (scripts/bench-floor.mjs), three
// processes each: raw TCP or raft-ts's gRPC transport, crossed with append + fdatasync on a plain
// file, WalStorage or LevelStorage.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts } from './_http-load.mjs';
import { fsyncRate, loopbackRttMs } from './_raft-anchors.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const scripts = join(here, '..', 'packages', 'raft-ts', 'scripts');
const nodeScript = join(scripts, 'bench-node.mjs');
const floorScript = join(scripts, 'bench-floor.mjs');

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

class Child {
  constructor(script, args) {
    // RAFT_BENCH_NODE_ARGS passes flags to the server processes, e.g. "--cpu-prof --cpu-prof-dir=/tmp/p".
    const execArgv = process.env.RAFT_BENCH_NODE_ARGS ? process.env.RAFT_BENCH_NODE_ARGS.split(' ') : [];
    this.proc = fork(script, args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.seq = 0;
    this.waiters = new Map();
    this.exited = new Promise((r) => this.proc.once('exit', r));
    this.ready = new Promise((resolve, reject) => {
      this.proc.on('message', (m) => {
        if (m.ready) return resolve();
        const w = this.waiters.get(m.id);
        this.waiters.delete(m.id);
        w?.resolve(m);
      });
      this.proc.once('exit', (code) => {
        const err = new Error(`${script} exited with code ${code}`);
        reject(err);
        for (const w of this.waiters.values()) w.reject(err);
        this.waiters.clear();
      });
    });
    this.ready.catch(() => undefined);
  }
  call(cmd, args = {}) {
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      if (this.proc.exitCode !== null || !this.proc.connected) return reject(new Error('process gone'));
      this.waiters.set(id, { resolve, reject });
      this.proc.send({ id, cmd, ...args });
    });
  }
  /** Ends the process: 'stop' over IPC, SIGKILL if it is still there after 5 s. */
  async end() {
    if (this.proc.exitCode === null && this.proc.connected) this.proc.send({ cmd: 'stop' });
    const t = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(t);
  }
}

/**
 * The 1-proposer commit path without Raft over `mode` ('tcp+file' ... 'grpc+level', see bench-floor.mjs):
 * three fresh processes, a 1 s warm-up, then `runs` runs; the median p50 and p99 in ms.
 */
async function floorPath(mode, base, runs, seconds) {
  const ids = ['l', 'f1', 'f2'];
  const ports = await freePorts(3);
  const peers = Object.fromEntries(ids.map((id, i) => [id, `127.0.0.1:${ports[i]}`]));
  const start = (id, i) => new Child(floorScript, [mode, i === 0 ? 'leader' : 'follower', id, join(base, `${mode}-${id}`), String(ports[i]), JSON.stringify(peers)]);
  const followers = ids.slice(1).map((id, i) => start(id, i + 1));
  const procs = [...followers];
  try {
    await Promise.all(followers.map((c) => c.ready));
    const leader = start('l', 0);
    procs.push(leader);
    await leader.ready;
    await leader.call('run', { durationMs: 1000 });
    const results = [];
    for (let r = 0; r < runs; r++) results.push(await leader.call('run', { durationMs: seconds * 1000 }));
    return { p50: median(results.map((x) => x.p50)), p99: median(results.map((x) => x.p99)) };
  } finally {
    await Promise.all(procs.map((c) => c.end()));
  }
}

/** A positive number option (`--runs 3`), or `def` when absent; anything else is refused. */
function arg(args, name, def) {
  const i = args.indexOf(name);
  if (i < 0) return def;
  const v = Number(args[i + 1]);
  if (!(v > 0)) throw new Error(`bench raft: ${name} needs a positive number, got ${args[i + 1] ?? 'nothing'}`);
  return v;
}

/** Elect, warm up and load the three Raft servers; one row per proposer count. */
async function raftRows(base, proposers, runs, seconds, transport, storage) {
  const ids = ['b1', 'b2', 'b3'];
  const ports = await freePorts(3);
  const peers = Object.fromEntries(ids.map((id, i) => [id, `127.0.0.1:${ports[i]}`]));
  const children = ids.map((id, i) => new Child(nodeScript, [id, join(base, `${transport}-${storage}-${id}`), String(ports[i]), JSON.stringify(peers), transport, storage]));
  try {
    await Promise.all(children.map((c) => c.ready));
    let leader;
    const deadline = Date.now() + 15000;
    while (!leader && Date.now() < deadline) {
      const st = await Promise.all(children.map((c) => c.call('status')));
      const i = st.findIndex((s) => s.isLeader);
      if (i >= 0) leader = children[i];
      else await new Promise((r) => setTimeout(r, 100));
    }
    if (!leader) throw new Error('no leader elected');
    await leader.call('load', { concurrency: 64, durationMs: 1000, size: 256 }); // warm-up
    const rows = [];
    for (const concurrency of proposers) {
      const results = [];
      const followerRatios = [];
      const writeP50 = [];
      const writeP99 = [];
      for (let r = 0; r < runs; r++) {
        const before = await Promise.all(children.map((c) => c.call('disk')));
        results.push(await leader.call('load', { concurrency, durationMs: seconds * 1000, size: 256 }));
        const after = await Promise.all(children.map((c) => c.call('disk')));
        children.forEach((c, i) => {
          writeP50.push(after[i].writeP50);
          writeP99.push(after[i].writeP99);
          if (c === leader) return;
          const syncs = after[i].syncs - before[i].syncs;
          followerRatios.push(syncs > 0 ? (after[i].entries - before[i].entries) / syncs : 0);
        });
      }
      rows.push({
        transport,
        proposers: concurrency,
        commitsPerSec: median(results.map((x) => x.commitsPerSec)),
        p50: median(results.map((x) => x.p50)),
        p99: median(results.map((x) => x.p99)),
        leaderEntriesPerFsync: median(results.map((x) => (x.syncs > 0 ? x.entries / x.syncs : 0))),
        followerEntriesPerFsync: Math.min(...followerRatios),
        errors: results.reduce((a, x) => a + x.errors, 0),
        writeP50: median(writeP50),
        writeP99: Math.max(...writeP99),
      });
    }
    return rows;
  } finally {
    await Promise.all(children.map((c) => c.end()));
  }
}

export async function run(args) {
  const runs = arg(args, '--runs', 3);
  const seconds = arg(args, '--seconds', 4);
  // --proposers 1 or --proposers 256 runs one row only (for profiling); default both.
  const only = arg(args, '--proposers', 0);
  const proposers = only > 0 ? [only] : [1, 256];
  const ti = args.indexOf('--transports');
  const transports = ti >= 0 ? String(args[ti + 1] ?? '').split(',') : ['tcp', 'grpc'];
  if (transports.length === 0 || transports.some((x) => x !== 'tcp' && x !== 'grpc')) throw new Error('bench raft: --transports takes tcp, grpc or tcp,grpc');
  const si = args.indexOf('--storage');
  const storage = si >= 0 ? String(args[si + 1] ?? '') : 'wal';
  if (storage !== 'wal' && storage !== 'level') throw new Error('bench raft: --storage takes wal or level');
  const storageLabel = storage === 'wal' ? 'WalStorage' : 'LevelStorage';
  const base = mkdtempSync(join(tmpdir(), 'raft-bench-'));
  try {
    const fsyncs = fsyncRate(base);
    const rtt = await loopbackRttMs();
    const rows = [];
    // The shared disk's fsync time moves within minutes: each transport's rows are also set beside
    // the fsync measured right before and right after them (the mean of the two).
    const around = {};
    for (const transport of transports) {
      const before = 1000 / fsyncRate(base);
      rows.push(...(await raftRows(base, proposers, runs, seconds, transport, storage)));
      const after = 1000 / fsyncRate(base);
      around[transport] = { before, after, floor: (before + after) / 2 + rtt };
    }
    const ones = rows.filter((r) => r.proposers === 1);
    const one = ones[0];
    // The same 1-proposer path without Raft, after the Raft servers stopped.
    const paths = [
      ['tcp+file', 'raw TCP, append + fdatasync'],
      ['tcp+wal', 'raw TCP, WalStorage'],
      ['tcp+level', 'raw TCP, LevelStorage'],
      ['grpc+file', 'raft-ts GrpcTransport, append + fdatasync'],
      ['grpc+level', 'raft-ts GrpcTransport, LevelStorage'],
    ];
    const floorRows = [];
    if (one) for (const [mode, label] of paths) floorRows.push({ label, ...(await floorPath(mode, base, runs, seconds)) });
    const floor = 1000 / fsyncs + rtt;
    const f = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');
    const label = { tcp: 'TcpTransport', grpc: 'GrpcTransport' };
    console.log(`\nraft-ts: 3 servers in separate processes, loopback (framed TCP or gRPC), ${storageLabel} fsync on, 256 B proposals`);
    console.log(`median of ${runs} runs x ${seconds}s; raw fs.fsyncSync: ${f(fsyncs, 0)}/s (${f(1000 / fsyncs, 2)} ms); loopback RTT ${f(rtt, 3)} ms\n`);
    console.log(
      '| transport | proposers | commits/s | p50 ms | p99 ms | entries/fsync (leader) | entries/fsync (min follower) | commits/s ÷ raw fsync/s | synced write p50 / worst p99 ms | errors |',
    );
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of rows) {
      console.log(
        `| ${label[r.transport]} | ${r.proposers} | ${f(r.commitsPerSec, 0)} | ${f(r.p50, 2)} | ${f(r.p99, 2)} | ${f(r.leaderEntriesPerFsync)} | ${f(r.followerEntriesPerFsync)} | ${f(r.commitsPerSec / fsyncs, 2)} | ${f(r.writeP50, 2)} / ${f(r.writeP99, 2)} | ${r.errors} |`,
      );
    }
    if (one) {
      for (const o of ones) {
        const a = around[o.transport];
        console.log(`\n1 proposer, ${label[o.transport]}: p50 ${f(o.p50, 2)} ms = ${f(o.p50 / floor, 2)}x (one fsync + one loopback RTT = ${f(floor, 2)} ms; target <= 3x)`);
        console.log(`  beside the fsync measured right around its rows (${f(a.before, 2)} ms before, ${f(a.after, 2)} ms after): ${f(o.p50 / a.floor, 2)}x of ${f(a.floor, 2)} ms`);
      }
      console.log(
        '\nThe same 1-proposer commit path without Raft (3 processes; the leader writes and sends one entry, a round ends when its write is durable and one follower acknowledged):\n',
      );
      console.log('| network, disk | p50 ms | p99 ms | p50 ÷ (fsync + RTT) |');
      console.log('|---|---:|---:|---:|');
      for (const r of floorRows) console.log(`| ${r.label} | ${f(r.p50, 2)} | ${f(r.p99, 2)} | ${f(r.p50 / floor, 2)}x |`);
      for (const o of ones) console.log(`| raft-ts: ${label[o.transport]}, ${storageLabel} and Raft (above) | ${f(o.p50, 2)} | ${f(o.p99, 2)} | ${f(o.p50 / floor, 2)}x |`);
    }
    for (const many of rows.filter((r) => r.proposers === 256))
      console.log(
        `\n256 proposers, ${label[many.transport]}: ${f(many.commitsPerSec, 0)} commits/s (target >= 15000), p99 ${f(many.p99, 1)} ms (target <= 20), ${f(many.leaderEntriesPerFsync)} entries per leader fsync (target >= 40)`,
      );
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}
