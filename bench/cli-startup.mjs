// `npm run bench -- cli-startup [--runs N] [--baseline PATH]`: how long a `concord` command takes from spawn to
// exit, hyperfine-style (two warm-up runs, then N timed runs, interleaved so load drifts hit
// every command alike), side by side with the anchor `node -e 0`:
//   `concord version`, `concord kv get` of a 256-byte key from a `-dev` agent, `concord members`,
//   and `concord agent -h` (which must not load the agent either).
// Prints mean ± standard deviation, median and min, and the overhead over the anchor (median and min);
// the target is `concord kv get` within 100 ms of `node -e 0`. `--baseline` adds `version` and
// `kv get` of another checkout's packages/cli/bin/concord.js (e.g. before a change), run against
// the same agent. The agent listens on 127.0.0.1 ephemeral ports and is killed by PID at the end.
import { spawnSync } from 'node:child_process';
import { children, concordBin, loadAverage, median, startChild, stop, until } from './_http-load.mjs';

const TARGET_MS = 100;

function parseArgs(args) {
  const opts = { runs: 20, baseline: undefined };
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split('=');
    const value = inline ?? args[++i];
    if (flag === '--runs') opts.runs = Math.max(3, Number(value));
    else if (flag === '--baseline') opts.baseline = value;
    else throw new Error(`unknown argument ${args[i]} (use --runs N, --baseline PATH)`);
  }
  return opts;
}

async function startDevAgent() {
  const args = [
    concordBin,
    'agent',
    '-dev',
    '-node',
    `bench-${process.pid}`,
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
  const { child, value: port } = await startChild(process.execPath, args, (out) => {
    const m = /Client Addr: .*\(HTTP: (\d+)/.exec(out);
    return m ? Number(m[1]) : undefined;
  });
  const url = `http://127.0.0.1:${port}`;
  await until(async () => {
    const res = await fetch(`${url}/v1/kv/bench/startup`, { method: 'PUT', body: Buffer.alloc(256, 'v') });
    return res.ok && (await res.text()) === 'true';
  }, 'concord to accept writes');
  return { child, addr: `127.0.0.1:${port}` };
}

/** One spawn-to-exit time in milliseconds; throws when the command fails. */
function timeOnce(name, argv, env) {
  const start = process.hrtime.bigint();
  const res = spawnSync(process.execPath, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (res.status !== 0) throw new Error(`${name} exited with ${res.status}: ${res.stderr.toString().trim()}`);
  return ms;
}

function stats(xs) {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1));
  return { mean, sd, median: median(xs), min: Math.min(...xs) };
}

export async function run(args) {
  const opts = parseArgs(args);
  console.log(`# cli-startup: spawn to exit, ${opts.runs} runs each after 2 warm-ups, interleaved; load ${loadAverage()}`);
  try {
    const agent = await startDevAgent();
    const env = { ...process.env, CONSUL_HTTP_ADDR: agent.addr };
    delete env.CONCORD_HTTP_ADDR;
    delete env.NODE_OPTIONS;
    const cases = [
      { name: 'node -e 0', argv: ['-e', '0'] },
      { name: 'concord version', argv: [concordBin, 'version'] },
      { name: 'concord kv get', argv: [concordBin, 'kv', 'get', 'bench/startup'], target: true },
      { name: 'concord members', argv: [concordBin, 'members'] },
      { name: 'concord agent -h', argv: [concordBin, 'agent', '-h'] },
    ];
    if (opts.baseline) {
      cases.push({ name: 'baseline version', argv: [opts.baseline, 'version'] }, { name: 'baseline kv get', argv: [opts.baseline, 'kv', 'get', 'bench/startup'] });
    }
    const times = new Map(cases.map((c) => [c.name, []]));
    for (let i = 0; i < opts.runs + 2; i++) {
      for (const c of cases) {
        const ms = timeOnce(c.name, c.argv, env);
        if (i >= 2) times.get(c.name).push(ms);
      }
    }
    await stop(agent.child);
    const anchor = stats(times.get('node -e 0'));
    const signed = (ms) => `${ms < 0 ? '-' : '+'}${Math.abs(ms).toFixed(1)}`;
    const header = ['command', 'mean ± sd ms', 'median ms', 'min ms', 'over node -e 0 (median/min)', 'target'];
    const body = cases.map((c) => {
      const s = stats(times.get(c.name));
      const over = s.median - anchor.median;
      return [
        c.name,
        `${s.mean.toFixed(1)} ± ${s.sd.toFixed(1)}`,
        s.median.toFixed(1),
        s.min.toFixed(1),
        c.name === 'node -e 0' ? '-' : `${signed(over)} / ${signed(s.min - anchor.min)} ms`,
        c.target ? `<= +${TARGET_MS} ms ${over <= TARGET_MS ? 'ok' : 'MISS'}` : '-',
      ];
    });
    const all = [header, ...body];
    const widths = header.map((_, i) => Math.max(...all.map((row) => row[i].length)));
    const line = (row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
    console.log('');
    console.log(line(header));
    console.log(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const row of body) console.log(line(row));
  } finally {
    await Promise.all([...children].map(stop));
  }
}
