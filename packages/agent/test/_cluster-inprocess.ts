/**
 * In-process clusters for the agent's cluster tests: servers and clients started with
 * `startAgent` on ephemeral ports, in temp data dirs, with fast gossip timings.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { pino } from 'pino';
import { resolveAgentConfig, startAgent } from '../src/index.js';
import type { LocalTimings, RunningAgent } from '../src/agent.js';
import { waitFor } from './_local-helpers.js';

let seq = 0;

export interface Member {
  agent: RunningAgent;
  base: string;
  name: string;
  dataDir: string;
}

export interface MemberOptions {
  server?: boolean;
  expect?: number;
  join?: Member;
  extraArgs?: string[];
  config?: Record<string, unknown>;
  name?: string;
  dataDir?: string;
  dns?: boolean;
  timings?: LocalTimings;
}

export async function startMember(t: ExecutionContext, o: MemberOptions = {}): Promise<Member> {
  const name = o.name ?? `m-${process.pid}-${++seq}`;
  const dataDir = o.dataDir ?? mkdtempSync(join(tmpdir(), 'concord-cluster-'));
  if (!o.dataDir) t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const configFile = join(dataDir, '..', `${name}-${seq}.json`);
  writeFileSync(
    configFile,
    // Consul's 200 ms LastContactThreshold misjudges followers on a loaded test machine, and its
    // 10 s ServerStabilizationTime slows tests that add servers.
    JSON.stringify({
      gossip_lan: { probe_interval: '200ms', probe_timeout: '100ms', suspicion_mult: 2 },
      ...o.config,
      autopilot: { last_contact_threshold: '5s', server_stabilization_time: '1s', ...(o.config?.autopilot as object | undefined) },
    }),
  );
  t.teardown(() => rmSync(configFile, { force: true }));
  const argv = [
    '-node',
    name,
    '-data-dir',
    dataDir,
    '-bind',
    '127.0.0.1',
    '-http-port',
    '0',
    '-dns-port',
    o.dns ? '0' : '-1',
    '-server-port',
    '0',
    '-serf-lan-port',
    '0',
    '-serf-wan-port',
    '0',
    '-config-file',
    configFile,
    ...(o.server ? ['-server', ...(o.expect ? [`-bootstrap-expect=${o.expect}`] : [])] : []),
    ...(o.join ? ['-join', `127.0.0.1:${o.join.agent.serfPort}`] : []),
    ...(o.extraArgs ?? []),
  ];
  const agent = await startAgent(resolveAgentConfig(argv), {
    logger: pino({ level: 'silent' }),
    ...(o.timings ? { localTimings: o.timings } : {}),
  });
  t.teardown(() => agent.close());
  return { agent, base: `http://127.0.0.1:${agent.httpPort}`, name, dataDir };
}

/** Three servers with -bootstrap-expect=3, joined through the first; resolves once one leads. */
export async function startServers(t: ExecutionContext, n = 3, config?: Record<string, unknown>, dns = false): Promise<Member[]> {
  const first = await startMember(t, { server: true, expect: n, dns, ...(config ? { config } : {}) });
  const rest = await Promise.all(Array.from({ length: n - 1 }, () => startMember(t, { server: true, expect: n, join: first, dns, ...(config ? { config } : {}) })));
  const all = [first, ...rest];
  // Three raft nodes in one process elect within a second on a quiet machine; a loaded one
  // (many test files at once on two cores) can take far longer.
  const leader = await waitFor(() => leaderOf(all), 45_000, 50);
  if (!leader) throw new Error('no leader within 45 s');
  return all;
}

export function leaderOf(members: readonly Member[]): Member | undefined {
  return members.find((m) => m.agent.context.cluster.isServer && m.agent.context.server?.isLeader());
}

export async function http(base: string, path: string, init: RequestInit = {}): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(20_000) });
  return { status: res.status, text: await res.text(), headers: res.headers };
}
