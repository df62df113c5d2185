/**
 * Real clusters for the multi-process tests: `concord agent` processes on 127.0.0.1 (or on the
 * addresses of network namespaces) with ephemeral ports (kept across restarts, so a restarted server keeps its addresses), temp data
 * dirs, fast gossip timings, kill -9 / SIGTERM / restart by PID, and leader lookup over HTTP.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { BIN, ROOT } from './_agent.js';

export interface Proc {
  readonly name: string;
  readonly server: boolean;
  readonly dataDir: string;
  httpPort: number;
  dnsPort: number;
  serfPort: number;
  /** The WAN gossip port (servers; -1 for clients). */
  serfWanPort: number;
  /** The server RPC port (0 for clients). */
  rpcPort: number;
  child: ChildProcess | undefined;
  /** Everything the process printed (all runs), for failure messages. */
  log: string;
  readonly args: string[];
  readonly gid: number | undefined;
  /** Address of RPC and gossip (-bind). */
  readonly bind: string;
  /** Address of HTTP and DNS (-client). */
  readonly client: string;
  /** The token the harness's own requests carry (the config's `acl.tokens.agent_recovery`). */
  readonly token?: string | undefined;
  /** The network namespace the process runs in, if not the test's own. */
  readonly netns: string | undefined;
  readonly umask: number | undefined;
  /** Extra environment variables of the process. */
  readonly env: Readonly<Record<string, string>> | undefined;
}

export interface ProcOptions {
  expect?: number;
  join?: Proc;
  /** Extra config-file keys. */
  config?: Record<string, unknown>;
  /** Run the process with this group ID (the partition tests match packets by it). */
  gid?: number;
  dns?: boolean;
  /** Address for RPC and gossip (-bind); 127.0.0.1 by default. */
  bind?: string;
  /** Address for HTTP and DNS (-client); 127.0.0.1 by default. */
  client?: string;
  /** Run the agent inside this network namespace (`ip netns exec`). */
  netns?: string;
  /** Start the agent with this umask (through `sh -c 'umask ...; exec ...'`). */
  umask?: number;
  /** Extra environment variables (e.g. CONCORD_RAFT_TRANSPORT). */
  env?: Record<string, string>;
}

const BANNER = /Client Addr: .*\(HTTP: (\d+).*DNS: (-?\d+)\)[\s\S]*Cluster Addr: .*\(LAN: (\d+), WAN: (-?\d+)\)/;

/**
 * Consul's 200 ms LastContactThreshold judges followers of a machine running many test clusters
 * at once unhealthy, and its 10 s ServerStabilizationTime slows every test that adds a server;
 * tests that are not about them allow 5 s of silence and give a vote after 1 s.
 */
export const LOADED_MACHINE_AUTOPILOT = { last_contact_threshold: '5s', server_stabilization_time: '1s' };

export const FAST_GOSSIP = { gossip_lan: { probe_interval: '200ms', probe_timeout: '100ms', suspicion_mult: 2 } };

/** An HTTP request to `127.0.0.1:<port>`, or to `<host>:<port>` given as a string. */
export async function getText(target: number | string, path: string, init: RequestInit = {}, timeoutMs = 15_000): Promise<{ status: number; text: string; headers: Headers }> {
  const hostPort = typeof target === 'number' ? `127.0.0.1:${target}` : target;
  const res = await fetch(`http://${hostPort}${path}`, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

export async function until<T>(probe: () => Promise<T | undefined | false>, timeoutMs: number, what: string, stepMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  let lastErr: unknown;
  while (Date.now() < end) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      lastErr = err;
    }
    await new Promise((r) => setTimeout(r, stepMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastErr ? ` (last error: ${String(lastErr)})` : ''}`);
}

/** Where a member's HTTP API listens, for getText. */
export function httpAddr(p: Proc): string {
  return `${p.client}:${p.httpPort}`;
}

/** Each server's voter IDs, sorted and joined, from its own raft configuration. */
export async function voterSets(servers: readonly Proc[]): Promise<string[]> {
  return Promise.all(
    servers.map(async (s) => {
      const conf = JSON.parse((await getText(httpAddr(s), '/v1/operator/raft/configuration?stale')).text) as { Servers: { ID: string; Voter: boolean }[] };
      return conf.Servers.filter((x) => x.Voter)
        .map((x) => x.ID)
        .sort()
        .join(',');
    }),
  );
}

export class ProcessCluster {
  readonly procs: Proc[] = [];
  readonly #root: string;
  #seq = 0;

  constructor(t: Pick<ExecutionContext, 'teardown'>) {
    this.#root = mkdtempSync(join(tmpdir(), 'concord-procs-'));
    t.teardown(async () => {
      await Promise.all(this.procs.map((p) => this.kill(p)));
      rmSync(this.#root, { recursive: true, force: true });
    });
  }

  get servers(): Proc[] {
    return this.procs.filter((p) => p.server);
  }

  async startServer(o: ProcOptions = {}): Promise<Proc> {
    return this.#start(true, o);
  }

  async startClient(o: ProcOptions = {}): Promise<Proc> {
    return this.#start(false, o);
  }

  /** N servers with -bootstrap-expect=N joined through the first; resolves once one leads. */
  async startServers(n: number, o: ProcOptions = {}): Promise<Proc[]> {
    const first = await this.startServer({ ...o, expect: n });
    const rest = await Promise.all(Array.from({ length: n - 1 }, () => this.startServer({ ...o, expect: n, join: first })));
    const all = [first, ...rest];
    await this.waitForLeader(all, 20_000);
    return all;
  }

  async #start(server: boolean, o: ProcOptions): Promise<Proc> {
    const name = `${server ? 's' : 'c'}${++this.#seq}-${process.pid}`;
    const dataDir = join(this.#root, name);
    const configFile = join(this.#root, `${name}.json`);
    writeFileSync(configFile, JSON.stringify({ ...FAST_GOSSIP, ...o.config, autopilot: { ...LOADED_MACHINE_AUTOPILOT, ...(o.config?.autopilot as object | undefined) } }));
    const bind = o.bind ?? '127.0.0.1';
    const client = o.client ?? '127.0.0.1';
    const args = ['agent', '-node', name, '-data-dir', dataDir, '-bind', bind, '-client', client, '-config-file', configFile, '-log-level', 'info'];
    if (server) args.push('-server', ...(o.expect ? [`-bootstrap-expect=${o.expect}`] : []));
    if (o.join) args.push('-retry-join', `${o.join.bind}:${o.join.serfPort}`, '-retry-interval', '1s');
    const p: Proc = {
      name,
      server,
      dataDir,
      httpPort: 0,
      dnsPort: o.dns ? 0 : -1,
      serfPort: 0,
      serfWanPort: server ? 0 : -1,
      rpcPort: 0,
      child: undefined,
      log: '',
      args,
      gid: o.gid,
      bind,
      client,
      netns: o.netns,
      umask: o.umask,
      env: o.env,
      token: (o.config?.acl as { tokens?: { agent_recovery?: string } } | undefined)?.tokens?.agent_recovery,
    };
    this.procs.push(p);
    await this.#spawn(p);
    return p;
  }

  async #spawn(p: Proc, extra: string[] = []): Promise<void> {
    const ports = ['-http-port', String(p.httpPort), '-dns-port', String(p.dnsPort), '-serf-lan-port', String(p.serfPort), ...extra];
    if (p.server) ports.push('-server-port', String(p.rpcPort), '-serf-wan-port', String(p.serfWanPort));
    const argv = [BIN, ...p.args, ...ports];
    let [cmd, cmdArgs] = p.netns ? ['ip', ['netns', 'exec', p.netns, process.execPath, ...argv]] : [process.execPath, argv];
    if (p.umask !== undefined) [cmd, cmdArgs] = ['/bin/sh', ['-c', `umask ${p.umask.toString(8).padStart(3, '0')} && exec "$@"`, 'sh', cmd, ...cmdArgs]];
    const child = spawn(cmd, cmdArgs, {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(p.env ? { env: { ...process.env, ...p.env } } : {}),
      ...(p.gid !== undefined ? { gid: p.gid } : {}),
    });
    p.child = child;
    let out = '';
    const collect = (c: Buffer) => {
      out += c.toString('utf8');
      p.log += c.toString('utf8');
      if (p.log.length > 400_000) p.log = p.log.slice(-200_000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    await until(
      async () => {
        if (child.exitCode !== null) throw new Error(`${p.name} exited with ${child.exitCode}:\n${out.slice(-3000)}`);
        return BANNER.test(out) || undefined;
      },
      60_000,
      `${p.name} to start`,
      25,
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}\n${out.slice(-3000)}`);
    });
    const m = BANNER.exec(out) as RegExpExecArray;
    p.httpPort = Number(m[1]);
    p.dnsPort = Number(m[2]);
    p.serfPort = Number(m[3]);
    p.serfWanPort = Number(m[4]);
    if (p.server && p.rpcPort === 0) {
      p.rpcPort = await until(
        async () => {
          const members = JSON.parse((await getText(httpAddr(p), '/v1/agent/members', { headers: p.token ? { 'X-Consul-Token': p.token } : {} })).text) as {
            Name: string;
            Tags: Record<string, string>;
          }[];
          return Number(members.find((x) => x.Name === p.name)?.Tags.port ?? 0) || undefined;
        },
        10_000,
        `${p.name} RPC port`,
      );
    }
  }

  /** kill -9 by PID; resolves when the process is gone. */
  async kill(p: Proc, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = p.child;
    if (!child || child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    try {
      process.kill(child.pid, signal);
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 10_000);
    await gone;
    clearTimeout(timer);
  }

  /** Starts a stopped member again on its own ports and data dir, joining every running member. */
  async restart(p: Proc): Promise<void> {
    await this.kill(p);
    const joins = this.procs.filter((x) => x !== p && this.alive(x)).flatMap((x) => ['-retry-join', `${x.bind}:${x.serfPort}`]);
    await this.#spawn(p, joins);
  }

  async isLeader(p: Proc): Promise<boolean> {
    const self = JSON.parse((await getText(httpAddr(p), '/v1/agent/self', { headers: p.token ? { 'X-Consul-Token': p.token } : {} }, 3000)).text) as {
      Stats: { consul: { leader: string } };
    };
    return self.Stats.consul.leader === 'true';
  }

  alive(p: Proc): boolean {
    return p.child !== undefined && p.child.exitCode === null && p.child.signalCode === null;
  }

  /** The one running server that says it leads. */
  async leader(among: readonly Proc[] = this.servers): Promise<Proc | undefined> {
    const running = among.filter((p) => this.alive(p));
    const flags = await Promise.all(running.map((p) => this.isLeader(p).catch(() => false)));
    const leaders = running.filter((_, i) => flags[i]);
    return leaders.length === 1 ? leaders[0] : undefined;
  }

  waitForLeader(among: readonly Proc[] = this.servers, timeoutMs = 15_000): Promise<Proc> {
    return until(() => this.leader(among), timeoutMs, 'a leader');
  }

  logs(): string {
    return this.procs.map((p) => `----- ${p.name}\n${p.log.slice(-4000)}`).join('\n');
  }
}
