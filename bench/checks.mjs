// `npm run bench -- checks [--checks N] [--interval S] [--seconds S]`: one dev agent running N
// HTTP checks (default 5,000 at 10 s intervals) against a local target in another process.
//
// After one interval of warm-up it measures, over `--seconds` (default 30):
//   - the agent's CPU share of one core, from /proc/<pid>/stat over 5 s slices (median and max);
//   - its resident memory (peak of VmRSS, sampled every 500 ms);
//   - from the target's request log (one start time per request and check): check runs per
//     second, how evenly the checks' start times fall over the interval (their phase, start time
//     modulo the interval, in ten buckets), and the gap between two runs of one check (the
//     interval: each check keeps its phase).
// Targets: at most 25% of one core and 300 MB RSS.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { children, concordBin, printTargets, startChild, stop } from './_http-load.mjs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux
const CPU_SLICE_MS = 5000;
const PHASE_BUCKETS = 10;
const GAP_JITTER_MS = 50;

// The target answers 200 and logs, per check (the last path segment), the start times it saw.
const TARGET = `
  const http = require('node:http');
  const log = new Map();
  const server = http.createServer((req, res) => {
    if (req.url === '/log') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify([...log]));
      return;
    }
    const id = req.url.slice(req.url.lastIndexOf('/') + 1);
    let times = log.get(id);
    if (!times) log.set(id, (times = []));
    times.push(Date.now());
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('ok');
  });
  server.keepAliveTimeout = 60000;
  server.listen(0, '127.0.0.1', () => console.log('PORT ' + server.address().port));`;

function cpuTicks(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function rssMb(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

function parseArgs(args) {
  const opts = { checks: 5000, interval: 10, seconds: 30 };
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split('=');
    const value = Number(inline ?? args[++i]);
    if (!Number.isFinite(value)) throw new Error(`${flag} needs a number`);
    if (flag === '--checks') opts.checks = Math.max(1, value);
    else if (flag === '--interval') opts.interval = Math.max(1, value);
    else if (flag === '--seconds') opts.seconds = Math.max(1, value);
    else throw new Error(`unknown argument ${args[i]} (use --checks N, --interval S, --seconds S)`);
  }
  return opts;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function quantile(sorted, q) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function startTarget() {
  const target = spawn(process.execPath, ['-e', TARGET], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(target);
  const port = await new Promise((resolve, reject) => {
    let out = '';
    target.stdout.on('data', (c) => {
      out += c;
      const m = /PORT (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    target.on('exit', (code) => reject(new Error(`target exited with ${code}`)));
  });
  return port;
}

async function registerChecks(base, targetPort, opts) {
  const batch = 100;
  for (let i = 0; i < opts.checks; i += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, opts.checks - i) }, async (_, j) => {
        const n = i + j;
        const r = await fetch(`${base}/v1/agent/check/register`, {
          method: 'PUT',
          body: JSON.stringify({ Name: `c${n}`, HTTP: `http://127.0.0.1:${targetPort}/health/${n}`, Interval: `${opts.interval}s`, Timeout: '5s' }),
        });
        if (!r.ok) throw new Error(`register failed: ${r.status} ${await r.text()}`);
      }),
    );
  }
}

/** CPU share per slice and peak RSS of `pid` over `seconds`. */
async function sampleProcess(pid, seconds) {
  const slices = [];
  let peakRss = 0;
  const end = Date.now() + seconds * 1000;
  let sliceStart = Date.now();
  let sliceTicks = cpuTicks(pid);
  while (Date.now() < end) {
    await sleep(500);
    peakRss = Math.max(peakRss, rssMb(pid));
    const now = Date.now();
    if (now - sliceStart >= CPU_SLICE_MS || now >= end) {
      const ticks = cpuTicks(pid);
      slices.push((ticks - sliceTicks) / TICKS_PER_SECOND / ((now - sliceStart) / 1000));
      sliceStart = now;
      sliceTicks = ticks;
    }
  }
  return { cpu: slices.sort((a, b) => a - b), peakRss };
}

/** Runs per second, phase buckets and per-check gaps from the target's log within [t0, t1). */
function spread(log, t0, t1, opts) {
  const intervalMs = opts.interval * 1000;
  const perSecond = new Array(Math.floor((t1 - t0) / 1000)).fill(0);
  const phases = new Array(PHASE_BUCKETS).fill(0);
  const gaps = [];
  let checksSeen = 0;
  for (const [, times] of log) {
    const inWindow = times.filter((t) => t >= t0 && t < t1);
    if (inWindow.length === 0) continue;
    checksSeen++;
    for (const t of inWindow) {
      const s = Math.floor((t - t0) / 1000);
      if (s < perSecond.length) perSecond[s]++;
    }
    phases[Math.floor((((inWindow[0] - t0) % intervalMs) / intervalMs) * PHASE_BUCKETS)]++;
    for (let i = 1; i < inWindow.length; i++) gaps.push(inWindow[i] - inWindow[i - 1]);
  }
  gaps.sort((a, b) => a - b);
  return { perSecond, phases, gaps, checksSeen };
}

function stats(values) {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
  return { mean, sd, min: Math.min(...values), max: Math.max(...values) };
}

export async function run(args) {
  const opts = parseArgs(args);
  console.log(`# checks: ${opts.checks} HTTP checks every ${opts.interval}s on one dev agent, measured over ${opts.seconds}s after ${opts.interval}s of warm-up`);
  try {
    const targetPort = await startTarget();
    const agentArgs = [
      concordBin,
      'agent',
      '-dev',
      '-node',
      `checks-${process.pid}`,
      '-http-port',
      '0',
      '-dns-port',
      '-1',
      '-server-port',
      '0',
      '-serf-lan-port',
      '0',
      '-log-level',
      'warn',
    ];
    const { child: agent, value: port } = await startChild(process.execPath, agentArgs, (out) => {
      const m = /Client Addr: .*\(HTTP: (\d+)/.exec(out);
      return m ? Number(m[1]) : undefined;
    });
    const started = performance.now();
    await registerChecks(`http://127.0.0.1:${port}`, targetPort, opts);
    process.stderr.write(`  registered ${opts.checks} checks in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    await sleep(opts.interval * 1000);

    const t0 = Date.now();
    const { cpu, peakRss } = await sampleProcess(agent.pid, opts.seconds);
    const t1 = Date.now();
    const log = await (await fetch(`http://127.0.0.1:${targetPort}/log`)).json();
    const { perSecond, phases, gaps, checksSeen } = spread(log, t0, t1, opts);
    const runs = stats(perSecond);
    const phase = stats(phases);
    const expectedRate = opts.checks / opts.interval;
    const expectedPerBucket = checksSeen / PHASE_BUCKETS;
    const cpuMedian = quantile(cpu, 0.5);
    const gapMin = gaps[0] / 1000;
    const rows = [
      ['agent CPU, median of 5 s slices', `${(cpuMedian * 100).toFixed(1)}%`, '<= 25% of one core', cpuMedian <= 0.25],
      ['agent CPU, worst slice', `${(cpu[cpu.length - 1] * 100).toFixed(1)}%`, '', undefined],
      ['agent RSS (peak)', `${peakRss.toFixed(0)} MB`, '<= 300 MB', peakRss <= 300],
      ['check runs per second (mean)', `${runs.mean.toFixed(0)} (expected ${expectedRate.toFixed(0)})`, 'within 5%', Math.abs(runs.mean - expectedRate) <= expectedRate * 0.05],
      ['runs per second, min / max', `${runs.min} / ${runs.max}`, '', undefined],
      ['checks that ran in the window', `${checksSeen} of ${opts.checks}`, 'all', checksSeen === opts.checks],
      [
        `start phase, ${PHASE_BUCKETS} buckets of the interval`,
        `${phase.min} .. ${phase.max} (mean ${expectedPerBucket.toFixed(0)})`,
        'each within 15% of the mean',
        phase.min >= expectedPerBucket * 0.85 && phase.max <= expectedPerBucket * 1.15,
      ],
      // Runs keep a fixed phase, so a gap is the interval unless the agent was stalled (a late run
      // is followed by one on time). Arrival times at the target add a little jitter.
      [
        'gap between runs of one check, min / median / max',
        `${gapMin.toFixed(3)} / ${(quantile(gaps, 0.5) / 1000).toFixed(3)} / ${(gaps[gaps.length - 1] / 1000).toFixed(3)} s`,
        `median within ${GAP_JITTER_MS} ms of ${opts.interval} s`,
        Math.abs(quantile(gaps, 0.5) - opts.interval * 1000) <= GAP_JITTER_MS,
      ],
    ];
    printTargets(rows);
    await stop(agent);
  } finally {
    await Promise.all([...children].map(stop));
  }
}
