import type { ConfigName, GossipConfig } from '../core/config.js';
import { resolveConfig } from '../core/config.js';
import { createPrng } from '@concord/simkit';
import { suspicionTimeout } from '../core/timing.js';
import { GossipConfigError } from '../errors.js';
import { Simulation } from './simulator.js';

export interface ScenarioOptions {
  /** Members in all. With `datacenters`, they are spread evenly and named `server-<i>.dc<d>`. */
  readonly nodes: number;
  /**
   * Datacenters the members are spread over (default 1): one pool across them, as Consul's WAN
   * pool of servers. Datagrams between two datacenters take an extra one-way delay drawn from the
   * seed per pair (`WAN_EXTRA_LATENCY_MS`).
   */
  readonly datacenters?: number;
  /** UDP packet loss probability, 0 ≤ loss < 1. */
  readonly loss: number;
  readonly seed: number;
  readonly config?: ConfigName | GossipConfig;
  /** Members killed one after another (default: N/10, between 1 and 5). */
  readonly kills?: number;
  /** Members joined after the kills (default: N/20, between 1 and 3). */
  readonly joins?: number;
  /** Simulated time before the first kill. */
  readonly warmupMs?: number;
  /** Time between two kills, and between two joins. */
  readonly staggerMs?: number;
}

export interface KillResult {
  readonly name: string;
  readonly killedAt: number;
  /** Time from the kill until some live member marked it suspect (or failed). */
  readonly firstSuspectMs: number | undefined;
  /** Time from the kill until every live member marked it failed. */
  readonly allDeadMs: number | undefined;
}

export interface JoinResult {
  readonly name: string;
  readonly joinedAt: number;
  /** Time until every live member knew the new member as alive. */
  readonly allKnowMs: number | undefined;
}

export interface ScenarioReport {
  readonly nodes: number;
  readonly datacenters: number;
  readonly loss: number;
  readonly seed: number;
  readonly configName: string;
  readonly kills: readonly KillResult[];
  readonly joins: readonly JoinResult[];
  /** Members never killed that some member marked failed. */
  readonly falsePositives: readonly string[];
  /**
   * At the end, every live member sees every live member alive and no killed member alive or
   * suspect (failed, or never heard of by a member that joined after the kill): the pool converged.
   */
  readonly converged: boolean;
  readonly simulatedMs: number;
  readonly events: number;
  readonly packetsSent: number;
  readonly packetsDropped: number;
}

/**
 * The standard run of `gossip-sim`: a converged cluster of `nodes` members, a few
 * members killed one after another, then a few new members joined, all on a lossy
 * simulated network. Runs until every kill is detected by everyone and every join is
 * known by everyone, or a time limit well past the worst-case suspicion timeout.
 */
export function runScenario(opts: ScenarioOptions): ScenarioReport {
  if (!Number.isInteger(opts.nodes) || opts.nodes < 2 || opts.nodes > 5000) {
    throw new GossipConfigError('nodes must be an integer between 2 and 5000');
  }
  if (!(opts.loss >= 0 && opts.loss < 1)) throw new GossipConfigError('loss must be in [0, 1)');
  const dcs = opts.datacenters ?? 1;
  if (!Number.isInteger(dcs) || dcs < 1 || dcs > 100 || dcs > opts.nodes) {
    throw new GossipConfigError('datacenters must be an integer between 1 and 100, and at most nodes');
  }
  const config = resolveConfig(opts.config ?? 'lan');
  const configName = typeof opts.config === 'string' ? opts.config : opts.config === undefined ? 'lan' : 'custom';
  const n = opts.nodes;
  const killCount = opts.kills ?? Math.max(1, Math.min(5, Math.floor(n / 10)));
  const joinCount = opts.joins ?? Math.max(1, Math.min(3, Math.floor(n / 20)));
  if (killCount >= n - 1) throw new GossipConfigError('too many kills for the cluster size');
  const warmup = opts.warmupMs ?? 5000;
  const stagger = opts.staggerMs ?? 3 * config.probeIntervalMs;

  const sim = new Simulation({
    seed: opts.seed,
    config,
    loss: opts.loss,
    ...(dcs > 1 ? { extraLatencyMs: wanLatencies(opts.seed, dcs) } : {}),
  });
  const memberName = (prefix: string, i: number): string => (dcs > 1 ? `${prefix}-${Math.floor(i / dcs)}.dc${(i % dcs) + 1}` : `${prefix}-${i}`);
  const names = Array.from({ length: n }, (_, i) => memberName(dcs > 1 ? 'server' : 'node', i));
  sim.bootstrap(names);
  const pick = createPrng(opts.seed ^ 0x0c0ffee);

  const victims: string[] = [];
  while (victims.length < killCount) {
    const v = names[pick.int(n)] as string;
    if (!victims.includes(v)) victims.push(v);
  }
  const killedAt = new Map<string, number>();
  const firstSuspect = new Map<string, number>();
  const deadBy = new Map<string, Map<string, number>>();
  const joinedAt = new Map<string, number>();
  const knownBy = new Map<string, Map<string, number>>();
  const falsePositives = new Set<string>();
  // Who must learn about each kill or join: the members live when it happened.
  const audience = new Map<string, string[]>();

  sim.onEvent((observer, ev) => {
    const name = ev.member.name;
    if (ev.type === 'suspect' || ev.type === 'failed') {
      const k = killedAt.get(name);
      if (k !== undefined && !firstSuspect.has(name)) firstSuspect.set(name, ev.at);
    }
    if (ev.type === 'failed') {
      if (killedAt.has(name)) {
        const m = deadBy.get(name) ?? new Map<string, number>();
        if (!m.has(observer)) m.set(observer, ev.at);
        deadBy.set(name, m);
      } else {
        falsePositives.add(name);
      }
    }
    if (ev.type === 'join' && joinedAt.has(name)) {
      const m = knownBy.get(name) ?? new Map<string, number>();
      if (!m.has(observer)) m.set(observer, ev.at);
      knownBy.set(name, m);
    }
  });

  victims.forEach((v, i) => {
    sim.at(warmup + i * stagger, () => {
      killedAt.set(v, sim.now);
      sim.kill(v);
      audience.set(v, sim.liveNames());
    });
  });
  const joinStart = warmup + killCount * stagger;
  const joiners = Array.from({ length: joinCount }, (_, i) => memberName('joiner', i));
  joiners.forEach((j, i) => {
    sim.at(joinStart + i * stagger, () => {
      const live = sim.liveNames().filter((x) => !joiners.includes(x));
      const seed = live[pick.int(live.length)] as string;
      audience.set(j, sim.liveNames());
      sim.addMember(j);
      joinedAt.set(j, sim.now);
      sim.join(j, seed);
    });
  });

  /** The audience of `subject` that is still live. */
  const mustKnow = (subject: string): string[] => {
    const live = new Set(sim.liveNames());
    return (audience.get(subject) ?? []).filter((o) => live.has(o));
  };
  const allDone = (): boolean => {
    if (killedAt.size < victims.length || joinedAt.size < joiners.length) return false;
    for (const v of victims) {
      const m = deadBy.get(v);
      if (m === undefined) return false;
      for (const o of mustKnow(v)) if (!m.has(o)) return false;
    }
    for (const j of joiners) {
      const m = knownBy.get(j);
      if (m === undefined) return false;
      for (const o of mustKnow(j)) if (!m.has(o)) return false;
    }
    return true;
  };

  const worstSuspicion = config.suspicionMaxTimeoutMult * suspicionTimeout(config.suspicionMult, n, config.probeIntervalMs);
  const limit = joinStart + joinCount * stagger + worstSuspicion + 60_000;
  // Check for completion once per simulated 100 ms rather than after every event.
  for (let t = 0; t < limit; t += 100) {
    sim.runUntil(t);
    if (allDone()) break;
  }

  const kills: KillResult[] = victims.map((v) => {
    const at = killedAt.get(v) ?? 0;
    const fs = firstSuspect.get(v);
    const m = deadBy.get(v);
    const l = mustKnow(v);
    let all: number | undefined;
    if (m !== undefined && l.every((o) => m.has(o))) all = Math.max(...l.map((o) => m.get(o) ?? 0)) - at;
    return { name: v, killedAt: at, firstSuspectMs: fs === undefined ? undefined : fs - at, allDeadMs: all };
  });
  const joins: JoinResult[] = joiners.map((j) => {
    const at = joinedAt.get(j) ?? 0;
    const m = knownBy.get(j);
    const others = mustKnow(j);
    let all: number | undefined;
    if (m !== undefined && others.every((o) => m.has(o))) all = Math.max(...others.map((o) => m.get(o) ?? 0)) - at;
    return { name: j, joinedAt: at, allKnowMs: all };
  });
  const live = sim.liveNames();
  const converged = live.every((observer) => {
    const core = sim.core(observer);
    const gone = (v: string): boolean => {
      const status = core.member(v)?.status;
      return status === undefined || status === 'failed';
    };
    return live.every((o) => core.member(o)?.status === 'alive') && victims.every(gone);
  });
  return {
    nodes: n,
    datacenters: dcs,
    loss: opts.loss,
    seed: opts.seed,
    configName,
    kills,
    joins,
    falsePositives: [...falsePositives].sort(),
    converged,
    simulatedMs: sim.now,
    events: sim.eventsProcessed,
    packetsSent: sim.packetsSent,
    packetsDropped: sim.packetsDropped,
  };
}

/** Least and greatest extra one-way delay between two datacenters. */
export const WAN_EXTRA_LATENCY_MS = Object.freeze({ min: 10, max: 100 });

/**
 * One-way delays between datacenters for a seed: each pair gets a delay in
 * `WAN_EXTRA_LATENCY_MS`, the same both ways; members of one datacenter add nothing.
 * A member's datacenter is what follows the last `.` of its name.
 */
function wanLatencies(seed: number, dcs: number): (from: string, to: string) => number {
  const rng = createPrng(seed ^ 0x3a3a3a);
  const span = WAN_EXTRA_LATENCY_MS.max - WAN_EXTRA_LATENCY_MS.min;
  const table = new Map<string, number>();
  for (let a = 1; a <= dcs; a++) {
    for (let b = a + 1; b <= dcs; b++) {
      const ms = WAN_EXTRA_LATENCY_MS.min + rng.int(span + 1);
      table.set(`dc${a}|dc${b}`, ms);
      table.set(`dc${b}|dc${a}`, ms);
    }
  }
  const dcOf = (name: string): string => name.slice(name.lastIndexOf('.') + 1);
  return (from, to) => {
    const a = dcOf(from);
    const b = dcOf(to);
    return a === b ? 0 : (table.get(`${a}|${b}`) ?? 0);
  };
}

/** Nearest-rank percentile; undefined samples (never reached) count as +∞. */
export function percentile(samples: readonly (number | undefined)[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = samples.map((s) => s ?? Number.POSITIVE_INFINITY).sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

function secs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return 'never';
  return `${(ms / 1000).toFixed(3)}s`;
}

/** The report as printed by `gossip-sim`; the last line is the summary. */
export function formatReport(r: ScenarioReport, wallMs?: number): string[] {
  const lines: string[] = [];
  const where = r.datacenters > 1 ? ` in ${r.datacenters} datacenters` : '';
  lines.push(`gossip-sim: ${r.nodes} nodes${where}, config ${r.configName}, loss ${r.loss}, seed ${r.seed}`);
  for (const k of r.kills) {
    lines.push(`kill ${k.name} at ${secs(k.killedAt)}: first suspect after ${secs(k.firstSuspectMs)}, all live members mark it failed after ${secs(k.allDeadMs)}`);
  }
  for (const j of r.joins) lines.push(`join ${j.name} at ${secs(j.joinedAt)}: known by all after ${secs(j.allKnowMs)}`);
  if (r.falsePositives.length > 0) lines.push(`false positives: ${r.falsePositives.join(', ')}`);
  if (!r.converged) lines.push('not converged: some live member does not see every live member alive and every killed one failed');
  const wall = wallMs === undefined ? '' : ` in ${(wallMs / 1000).toFixed(2)}s of wall time`;
  lines.push(`simulated ${secs(r.simulatedMs)}${wall}: ${r.events} events, ${r.packetsSent} packets, ${r.packetsDropped} dropped`);
  const detect = r.kills.map((k) => k.allDeadMs);
  const join = r.joins.map((j) => j.allKnowMs);
  lines.push(
    `nodes ${r.nodes}, loss ${r.loss}: detect p50 ${secs(percentile(detect, 50))} p99 ${secs(percentile(detect, 99))}, all-know-join p99 ${secs(percentile(join, 99))}, false positives ${r.falsePositives.length}`,
  );
  return lines;
}

/** True when every kill was detected by all, every join known by all, and nobody live was marked failed. */
export function reportPassed(r: ScenarioReport): boolean {
  return r.kills.every((k) => k.allDeadMs !== undefined) && r.joins.every((j) => j.allKnowMs !== undefined) && r.falsePositives.length === 0 && r.converged;
}
