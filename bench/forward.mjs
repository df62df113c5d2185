// `npm run bench -- forward [--runs N] [--seconds S] [--baseline <dir>]`: requests that an agent
// forwards to the leader. A 3-server cluster plus one client agent on loopback (fsync on), under
// autocannon load in a child process at 64 connections:
//   through the client agent: PUT (256-byte values, a new key per request), GET of one key with
//     default consistency (answered by the leader) and with ?stale (answered by any server);
//   through a follower server: PUT and default GET (both answered by the leader).
// With --baseline <dir>, a built checkout of another commit (`npm ci` in it), the same topology is
// also started from that checkout's packages/cli/bin/concord.js, and each row is measured on both,
// alternating the two clusters run by run so that drift in the machine's load hits both alike; the
// table shows the baseline beside each row and the ratio this checkout ÷ baseline, and the
// client-agent rows are judged against "no slower than the baseline" (ratio >= 1.00).
// Prints medians over the runs and the load average (the machine may be shared).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { concordClientAgent, concordCluster, concordLeader, put } from './_concord-cluster.mjs';
import { children, compare, concordBin, fmt, load, loadAverage, printTable, printTargets, root, stop, summarize } from './_http-load.mjs';

const VALUE = Buffer.alloc(256, 'v');
const CONNECTIONS = 64;
const NO_SLOWER = 1.0;

/** Rows: where the load goes in a topology ({ servers, client }), and whether the baseline judges it. */
const SCENARIOS = [
  { name: 'PUT via client agent', judged: true, at: (t) => t.client, spec: { kind: 'put', path: '/v1/kv/bench/put' } },
  { name: 'GET via client agent', judged: true, at: (t) => t.client, spec: { kind: 'get', path: '/v1/kv/bench/get' } },
  { name: 'GET ?stale via client agent', judged: true, at: (t) => t.client, spec: { kind: 'get', path: '/v1/kv/bench/get?stale' } },
  { name: 'PUT via follower', judged: false, at: follower, spec: { kind: 'put', path: '/v1/kv/bench/put' } },
  { name: 'GET via follower', judged: false, at: follower, spec: { kind: 'get', path: '/v1/kv/bench/get' } },
];

/** A server that is not the leader of the moment. */
async function follower(topology) {
  const leader = await concordLeader(topology.servers);
  if (!leader) throw new Error(`no leader in the ${topology.label} cluster`);
  return topology.servers.find((s) => s !== leader);
}

/** Three servers and a client agent from `bin`, with the key the GET rows read. */
async function startTopology(dir, bin, label) {
  const servers = await concordCluster(join(dir, 'servers'), { bin });
  const client = await concordClientAgent(join(dir, 'client'), servers, { bin });
  if (!(await put(client, 'bench/get', VALUE))) throw new Error(`could not write bench/get through the ${label} client agent`);
  return { servers, client, label };
}

async function loadSpec(scenario, topology) {
  const agent = await scenario.at(topology);
  return { ...scenario.spec, url: agent.url, connections: CONNECTIONS };
}

/** Without a baseline: one warm-up second, then `runs` runs of the row alone. */
async function measureAlone(row, spec, opts) {
  await load({ ...spec, seconds: 1 });
  const runs = [];
  for (let i = 0; i < opts.runs; i++) runs.push(await load({ ...spec, seconds: opts.seconds }));
  const subject = summarize(runs);
  process.stderr.write(`  ${row.name} c=${row.connections}: ${fmt(subject.rps)} req/s\n`);
  return { ...row, subject };
}

function printAlone(rows) {
  const header = ['scenario', 'conns', 'req/s', 'p50/p99 ms', 'errors'];
  const body = rows.map((r) => [r.name, String(r.connections), fmt(r.subject.rps), `${r.subject.p50}/${r.subject.p99}`, String(r.subject.bad)]);
  const widths = header.map((_, i) => Math.max(...[header, ...body].map((row) => row[i].length)));
  const line = (row) => row.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of body) console.log(line(row));
}

/** The short commit of a checkout, or its directory name when it is not a git checkout. */
function describe(dir) {
  try {
    return execFileSync('git', ['-C', dir, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return basename(dir);
  }
}

/** The baseline checkout's `concord` binary; a clear error when the directory is not a built checkout. */
function baselineBin(dir) {
  const bin = join(dir, 'packages', 'cli', 'bin', 'concord.js');
  if (!existsSync(bin)) throw new Error(`--baseline ${dir}: no packages/cli/bin/concord.js there (a Concord checkout is expected)`);
  if (!existsSync(join(dir, 'packages', 'cli', 'dist', 'src', 'index.js'))) {
    throw new Error(`--baseline ${dir}: not built (run npm ci in it first)`);
  }
  return bin;
}

function parseArgs(args) {
  const opts = { runs: 3, seconds: 4, baseline: undefined };
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split('=');
    const value = inline ?? args[++i];
    const positive = () => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a positive whole number, got ${value}`);
      return n;
    };
    if (flag === '--runs') opts.runs = positive();
    else if (flag === '--seconds') opts.seconds = positive();
    else if (flag === '--baseline' && value) opts.baseline = resolve(value);
    else throw new Error(`unknown argument ${args[i]} (use --runs N, --seconds S, --baseline <dir>)`);
  }
  return opts;
}

export async function run(args) {
  const opts = parseArgs(args);
  const oldBin = opts.baseline ? baselineBin(opts.baseline) : undefined;
  const newLabel = describe(root);
  const oldLabel = opts.baseline ? describe(opts.baseline) : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'concord-forward-bench-'));
  const startedAt = performance.now();
  const rows = [];
  console.log(`# forward: 3 servers + 1 client agent on loopback, fsync on, 256-byte values, ${CONNECTIONS} connections, median of ${opts.runs} runs x ${opts.seconds}s`);
  console.log(`# this checkout ${newLabel}${oldLabel ? ` beside baseline ${oldLabel} (${opts.baseline}), alternating run by run` : ''}`);
  console.log(`# load average at start: ${loadAverage()}`);
  try {
    const current = await startTopology(join(dir, 'new'), concordBin, newLabel);
    const baseline = oldBin ? await startTopology(join(dir, 'old'), oldBin, oldLabel) : undefined;
    for (const scenario of SCENARIOS) {
      const row = { name: scenario.name, connections: CONNECTIONS };
      const subject = await loadSpec(scenario, current);
      if (!baseline) {
        rows.push(await measureAlone(row, subject, opts));
        continue;
      }
      const anchor = await loadSpec(scenario, baseline);
      rows.push(await compare({ ...row, anchorName: `baseline ${oldLabel}`, target: scenario.judged ? NO_SLOWER : 0 }, subject, anchor, opts));
    }
  } finally {
    await Promise.all([...children].map(stop));
    rmSync(dir, { recursive: true, force: true });
  }
  console.log('');
  if (oldBin) {
    printTable(rows);
    printTargets(rows.filter((r) => r.target > 0).map((r) => [`${r.name}: req/s >= ${r.target.toFixed(2)}x baseline`, `${r.ratio.toFixed(2)}x`, '', r.ratio >= r.target]));
  } else {
    printAlone(rows);
  }
  console.log(`\n# load average at end: ${loadAverage()} on ${cpus().length} cores; total ${((performance.now() - startedAt) / 1000).toFixed(0)} s`);
}
