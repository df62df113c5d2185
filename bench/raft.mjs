// `npm run bench -- raft [--runs N] [--seconds S]`: three raft-ts servers in separate processes on
// loopback gRPC with LevelStorage (fsync on). 256-byte proposals from 1 and 256 concurrent
// proposers on the leader: commits/s, commit latency p50/p99 and entries per fsync, printed beside
// this machine's raw fsync rate and loopback round trip measured in the same run.
import { fork } from 'node:child_process';
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts } from './_http-load.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const nodeScript = join(here, '..', 'packages', 'raft-ts', 'scripts', 'bench-node.mjs');

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function fsyncRate(dir, ms = 1000) {
  const fd = openSync(join(dir, 'fsync-probe'), 'w');
  const buf = Buffer.alloc(256, 1);
  let n = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    writeSync(fd, buf);
    fsyncSync(fd);
    n++;
  }
  closeSync(fd);
  return n / (ms / 1000);
}

async function loopbackRttMs(rounds = 2000) {
  const server = createServer((s) => s.on('data', (d) => s.write(d)));
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const sock = connect(server.address().port, '127.0.0.1');
  sock.setNoDelay(true);
  await new Promise((r) => sock.once('connect', r));
  const times = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    sock.write('x');
    await new Promise((r) => sock.once('data', r));
    times.push(performance.now() - t0);
  }
  sock.destroy();
  server.close();
  return median(times);
}

class Child {
  constructor(id, dir, port, peers) {
    // RAFT_BENCH_NODE_ARGS passes flags to the server processes, e.g. "--cpu-prof --cpu-prof-dir=/tmp/p".
    const execArgv = process.env.RAFT_BENCH_NODE_ARGS ? process.env.RAFT_BENCH_NODE_ARGS.split(' ') : [];
    this.proc = fork(nodeScript, [id, dir, String(port), JSON.stringify(peers)], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.seq = 0;
    this.waiters = new Map();
    this.ready = new Promise((r) => {
      this.proc.on('message', (m) => {
        if (m.ready) return r();
        const w = this.waiters.get(m.id);
        this.waiters.delete(m.id);
        w?.(m);
      });
    });
  }
  call(cmd, args = {}) {
    const id = ++this.seq;
    return new Promise((r) => {
      this.waiters.set(id, r);
      this.proc.send({ id, cmd, ...args });
    });
  }
}

function arg(args, name, def) {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
}

export async function run(args) {
  const runs = arg(args, '--runs', 3);
  const seconds = arg(args, '--seconds', 4);
  // --proposers 1 or --proposers 256 runs one row only (for profiling); default both.
  const only = arg(args, '--proposers', 0);
  const proposers = only > 0 ? [only] : [1, 256];
  const base = mkdtempSync(join(tmpdir(), 'raft-bench-'));
  const fsyncs = fsyncRate(base);
  const rtt = await loopbackRttMs();
  const ids = ['b1', 'b2', 'b3'];
  const ports = await freePorts(3);
  const peers = Object.fromEntries(ids.map((id, i) => [id, `127.0.0.1:${ports[i]}`]));
  const children = ids.map((id, i) => new Child(id, join(base, id), ports[i], peers));
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
    const floor = 1000 / fsyncs + rtt;
    const f = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');
    console.log(`\nraft-ts: 3 servers in separate processes, loopback gRPC, LevelStorage fsync on, 256 B proposals`);
    console.log(`median of ${runs} runs x ${seconds}s; raw fs.fsyncSync: ${f(fsyncs, 0)}/s (${f(1000 / fsyncs, 2)} ms); loopback RTT ${f(rtt, 3)} ms\n`);
    console.log('| proposers | commits/s | p50 ms | p99 ms | entries/fsync (leader) | entries/fsync (min follower) | commits/s ÷ raw fsync/s | synced write p50 / worst p99 ms | errors |');
    console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of rows) {
      console.log(`| ${r.proposers} | ${f(r.commitsPerSec, 0)} | ${f(r.p50, 2)} | ${f(r.p99, 2)} | ${f(r.leaderEntriesPerFsync)} | ${f(r.followerEntriesPerFsync)} | ${f(r.commitsPerSec / fsyncs, 2)} | ${f(r.writeP50, 2)} / ${f(r.writeP99, 2)} | ${r.errors} |`);
    }
    const one = rows.find((r) => r.proposers === 1);
    if (one) console.log(`\n1 proposer: p50 ${f(one.p50, 2)} ms = ${f(one.p50 / floor, 2)}x (one fsync + one loopback RTT = ${f(floor, 2)} ms; target <= 3x)`);
    const many = rows.find((r) => r.proposers === 256);
    if (many) console.log(`256 proposers: ${f(many.commitsPerSec, 0)} commits/s (target >= 15000), p99 ${f(many.p99, 1)} ms (target <= 20), ${f(many.leaderEntriesPerFsync)} entries per leader fsync (target >= 40)`);
  } finally {
    await Promise.all(children.map((c) => c.call('stop').catch(() => undefined)));
    await Promise.all(
      children.map((c) => new Promise((r) => {
        if (c.proc.exitCode !== null) return r();
        const t = setTimeout(() => (c.proc.kill('SIGKILL'), r()), 5000);
        c.proc.once('exit', () => (clearTimeout(t), r()));
      })),
    );
    rmSync(base, { recursive: true, force: true });
  }
}
