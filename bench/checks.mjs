// `npm run bench -- checks [--checks N] [--interval S] [--seconds S]`: one dev agent running N
// HTTP checks (default 5,000 at 10 s intervals) against a local target in another process.
// Measures, after one interval of warm-up, the agent's CPU share (from /proc/<pid>/stat), its
// resident memory, and how evenly check runs are spread over time (requests per second seen by
// the target). Targets: at most 25% of one core and 300 MB RSS.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { children, concordBin, startChild, stop } from './_http-load.mjs';

const TARGET = `
  const http = require('node:http');
  const perSecond = new Map();
  const server = http.createServer((req, res) => {
    if (req.url === '/stats') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify([...perSecond]));
      return;
    }
    const s = Math.floor(Date.now() / 1000);
    perSecond.set(s, (perSecond.get(s) ?? 0) + 1);
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
    if (flag === '--checks') opts.checks = Math.max(1, value);
    else if (flag === '--interval') opts.interval = Math.max(1, value);
    else if (flag === '--seconds') opts.seconds = Math.max(1, value);
    else throw new Error(`unknown argument ${args[i]} (use --checks N, --interval S, --seconds S)`);
  }
  return opts;
}

export async function run(args) {
  const opts = parseArgs(args);
  const ticksPerSecond = 100; // USER_HZ on Linux
  console.log(`# checks: ${opts.checks} HTTP checks every ${opts.interval}s on one dev agent, measured over ${opts.seconds}s after ${opts.interval}s of warm-up`);
  try {
    const target = spawn(process.execPath, ['-e', TARGET], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.add(target);
    const targetPort = await new Promise((resolve, reject) => {
      let out = '';
      target.stdout.on('data', (c) => {
        out += c;
        const m = /PORT (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      target.on('exit', (code) => reject(new Error(`target exited with ${code}`)));
    });
    const args = [concordBin, 'agent', '-dev', '-node', `checks-${process.pid}`, '-http-port', '0', '-dns-port', '-1', '-server-port', '0', '-serf-lan-port', '0', '-log-level', 'warn'];
    const { child: agent, value: port } = await startChild(process.execPath, args, (out) => {
      const m = /Client Addr: .*\(HTTP: (\d+)/.exec(out);
      return m ? Number(m[1]) : undefined;
    });
    const base = `http://127.0.0.1:${port}`;
    const started = performance.now();
    const batch = 100;
    for (let i = 0; i < opts.checks; i += batch) {
      await Promise.all(
        Array.from({ length: Math.min(batch, opts.checks - i) }, (_, j) =>
          fetch(`${base}/v1/agent/check/register`, {
            method: 'PUT',
            body: JSON.stringify({ Name: `c${i + j}`, HTTP: `http://127.0.0.1:${targetPort}/health/${i + j}`, Interval: `${opts.interval}s`, Timeout: '5s' }),
          }).then(async (r) => {
            if (!r.ok) throw new Error(`register failed: ${r.status} ${await r.text()}`);
          }),
        ),
      );
    }
    process.stderr.write(`  registered ${opts.checks} checks in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    await new Promise((r) => setTimeout(r, opts.interval * 1000));
    const t0 = Date.now();
    const c0 = cpuTicks(agent.pid);
    let peakRss = 0;
    while (Date.now() - t0 < opts.seconds * 1000) {
      peakRss = Math.max(peakRss, rssMb(agent.pid));
      await new Promise((r) => setTimeout(r, 500));
    }
    const elapsed = (Date.now() - t0) / 1000;
    const cpu = (cpuTicks(agent.pid) - c0) / ticksPerSecond / elapsed;
    const fromSecond = Math.floor(t0 / 1000) + 1;
    const toSecond = Math.floor((t0 + opts.seconds * 1000) / 1000) - 1;
    const perSecond = new Map(await (await fetch(`http://127.0.0.1:${targetPort}/stats`)).json());
    const counts = [];
    for (let s = fromSecond; s <= toSecond; s++) counts.push(perSecond.get(s) ?? 0);
    const expected = opts.checks / opts.interval;
    const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
    const sd = Math.sqrt(counts.reduce((a, b) => a + (b - mean) ** 2, 0) / counts.length);
    const rows = [
      ['agent CPU (share of one core)', `${(cpu * 100).toFixed(1)}%`, '<= 25%', cpu <= 0.25],
      ['agent RSS (peak)', `${peakRss.toFixed(0)} MB`, '<= 300 MB', peakRss <= 300],
      ['check runs per second (mean)', `${mean.toFixed(0)} (expected ${expected.toFixed(0)})`, 'within 5%', Math.abs(mean - expected) <= expected * 0.05],
      ['runs per second, min / max', `${Math.min(...counts)} / ${Math.max(...counts)}`, '', undefined],
      ['spread (std dev / mean)', `${((sd / mean) * 100).toFixed(1)}%`, '', undefined],
    ];
    const w0 = Math.max(...rows.map((r) => r[0].length));
    const w1 = Math.max(...rows.map((r) => r[1].length));
    console.log('');
    for (const [name, value, target, ok] of rows) {
      console.log(`${name.padEnd(w0)}  ${value.padStart(w1)}  ${target}${ok === undefined ? '' : ok ? ' ok' : ' MISS'}`);
    }
    await stop(agent);
  } finally {
    await Promise.all([...children].map(stop));
  }
}
