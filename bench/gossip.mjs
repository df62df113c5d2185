// Gossip benchmark: the simulator with the `lan` config at N = 50, 200 and 1,000 and
// 1% loss, beside memberlist's analytic bound for the same config; the WAN pool of
// 10 datacenters x 3 servers on the `wan` config beside a 30-member LAN pool; then a
// real 20-member loopback cluster at rest (CPU and bandwidth).
//
//   npm run bench -- gossip [--seeds <k>] [--rest-seconds <s>] [--skip-real]
import { performance } from 'node:perf_hooks';
import { createGossip, lanConfig, suspicionTimeout, wanConfig } from '../packages/gossip/dist/src/index.js';
import { percentile, runScenario } from '../packages/gossip/dist/src/sim/index.js';

function flag(args, name, fallback) {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : fallback;
}

/** Rounds until 99.99 % are informed in Serf's logistic model: 1 / (1 + (N+1)·e^(−βN·x)). */
function disseminationMs(n, loss, cfg) {
  const beta = cfg.gossipNodes * (1 - loss) * 0.5;
  const f = 0.9999;
  const rounds = Math.log((n + 1) / (1 / f - 1)) / beta;
  return rounds * cfg.gossipIntervalMs;
}

const s = (ms) => (Number.isFinite(ms) ? (ms / 1000).toFixed(2) : 'never');

function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padStart(widths[i])).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/**
 * Convergence of Consul's WAN pool (10 datacenters x 3 servers, one pool, 10-100 ms one-way
 * between datacenters) on DefaultWANConfig, beside a 30-member LAN pool on DefaultLANConfig,
 * same loss, kills and joins: time until every live member marks a killed one failed, and
 * until every member knows a joining one.
 */
function wanBesideLan(seeds, loss) {
  const rows = [];
  const summary = [];
  for (const [profile, cfg, datacenters] of [
    ['lan', lanConfig, 1],
    ['wan', wanConfig, 10],
  ]) {
    const detect = [];
    const join = [];
    let fp = 0;
    let converged = 0;
    for (let seed = 1; seed <= seeds; seed++) {
      const r = runScenario({ nodes: 30, datacenters, loss, seed, config: profile, kills: 3, joins: 2 });
      for (const k of r.kills) detect.push(k.allDeadMs);
      for (const j of r.joins) join.push(j.allKnowMs);
      fp += r.falsePositives.length;
      if (r.converged) converged++;
    }
    const min = suspicionTimeout(cfg.suspicionMult, 30, cfg.probeIntervalMs);
    const bound = cfg.suspicionMaxTimeoutMult * min + disseminationMs(30, loss, cfg);
    const p99 = percentile(detect, 99);
    rows.push([
      profile,
      datacenters === 1 ? '1 x 30' : `${datacenters} x ${30 / datacenters}`,
      detect.length,
      s(percentile(detect, 50)),
      s(p99),
      s(bound),
      s(percentile(join, 50)),
      s(percentile(join, 99)),
      fp,
      `${converged}/${seeds}`,
    ]);
    summary.push(`${profile} convergence p99: failure known by all ${s(p99)} s, join known by all ${s(percentile(join, 99))} s`);
  }
  return [
    `WAN pool beside LAN pool, 30 members, loss ${loss * 100}%, ${seeds} seeds each (3 kills, 2 joins per run)`,
    table(['profile', 'dcs x servers', 'kills', 'dead-by-all p50', 'dead-by-all p99', 'bound max+diss', 'join-by-all p50', 'join-by-all p99', 'false pos', 'converged'], rows),
    ...summary,
  ].join('\n');
}

async function restCluster(seconds) {
  const members = [];
  for (let i = 0; i < 20; i++) {
    const g = createGossip({ name: `rest-${i}`, bindAddr: '127.0.0.1', bindPort: 0, config: 'lan', tags: { role: 'node', dc: 'dc1' } });
    await g.start();
    members.push(g);
  }
  try {
    for (const m of members.slice(1)) await m.join([`127.0.0.1:${members[0].port}`]);
    const start = Date.now();
    while (!members.every((m) => m.members().filter((x) => x.status === 'alive').length === 20)) {
      if (Date.now() - start > 30_000) throw new Error('the loopback cluster did not converge');
      await new Promise((r) => setTimeout(r, 50));
    }
    // Let join traffic die down before measuring.
    await new Promise((r) => setTimeout(r, 5000));
    const bytes = () => members.reduce((a, m) => a + m.stats.bytesSent + m.stats.bytesReceived, 0);
    const b0 = bytes();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const wall = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(c0);
    const cpuPct = ((cpu.user + cpu.system) / 1e6 / wall) * 100;
    // Each byte is counted once by its sender and once by its receiver; per member
    // this is what crosses its sockets in both directions.
    const perMemberKBs = (bytes() - b0) / 20 / wall / 1024;
    const failed = members.some((m) => m.members().some((x) => x.status !== 'alive'));
    return { cpuPct, perMemberKBs, failed, wall };
  } finally {
    await Promise.all(members.map((m) => m.shutdown()));
  }
}

export async function run(args) {
  const seeds = flag(args, '--seeds', 3);
  const restSeconds = flag(args, '--rest-seconds', 20);
  const loss = 0.01;
  const cfg = lanConfig;
  const rows = [];
  const verdicts = [];
  for (const n of [50, 200, 1000]) {
    const detect = [];
    const suspect = [];
    const join = [];
    let fp = 0;
    let wallMs = 0;
    for (let seed = 1; seed <= seeds; seed++) {
      const t0 = performance.now();
      const r = runScenario({ nodes: n, loss, seed, config: 'lan' });
      wallMs += performance.now() - t0;
      for (const k of r.kills) {
        detect.push(k.allDeadMs);
        suspect.push(k.firstSuspectMs);
      }
      for (const j of r.joins) join.push(j.allKnowMs);
      fp += r.falsePositives.length;
    }
    const min = suspicionTimeout(cfg.suspicionMult, n, cfg.probeIntervalMs);
    const max = cfg.suspicionMaxTimeoutMult * min;
    const diss = disseminationMs(n, loss, cfg);
    const bound = max + diss;
    const p99 = percentile(detect, 99);
    const joinP99 = percentile(join, 99);
    rows.push([
      n,
      detect.length,
      s(percentile(suspect, 50)),
      s(percentile(detect, 50)),
      s(p99),
      s(min + diss),
      s(bound),
      (p99 / bound).toFixed(2),
      s(diss),
      s(joinP99),
      fp,
      (wallMs / seeds / 1000).toFixed(1),
    ]);
    verdicts.push(`N=${n}: detect p99 ${s(p99)} s ${p99 <= bound ? '<=' : '>'} bound ${s(bound)} s`);
    if (n === 1000) verdicts.push(`N=1000: all-know-join p99 ${s(joinP99)} s (target <= 3 s): ${joinP99 <= 3000 ? 'met' : 'missed'}`);
    verdicts.push(`N=${n}: false positives at 1% loss: ${fp}`);
  }
  process.stdout.write(`gossip simulator, config lan, loss 1%, ${seeds} seeds per size (5 kills and 3 joins per run at N >= 50)\n`);
  process.stdout.write(
    `${table(
      ['N', 'kills', 'suspect p50', 'dead-by-all p50', 'dead-by-all p99', 'min+diss', 'bound max+diss', 'p99/bound', 'diss', 'join-by-all p99', 'false pos', 'wall s/run'],
      rows,
    )}\n`,
  );
  process.stdout.write('times in seconds; bound = SuspicionMaxTimeoutMult x SuspicionMult x max(1, log10 N) x ProbeInterval\n');
  process.stdout.write('  + dissemination to 99.99% in the logistic model (fanout 3, 200 ms rounds); min+diss assumes k confirmations\n');
  for (const v of verdicts) process.stdout.write(`${v}\n`);
  process.stdout.write(`\n${wanBesideLan(seeds * 3, loss)}\n`);
  if (!args.includes('--skip-real')) {
    const rest = await restCluster(restSeconds);
    process.stdout.write(
      `\nreal loopback cluster, 20 members, lan config, at rest for ${rest.wall.toFixed(0)} s:\n` +
        `${table(
          ['CPU % of one core (all 20)', 'KB/s per member (in+out)', 'target CPU', 'target KB/s', 'all alive'],
          [[rest.cpuPct.toFixed(2), rest.perMemberKBs.toFixed(2), '<= 2', '<= 50', rest.failed ? 'no' : 'yes']],
        )}\n`,
    );
  }
}
